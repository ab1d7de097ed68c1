// The issue list's counts by status and its filters, drawn by the browser (pages/filter_bar.py).
// The browser owns what the fields hold: a change is sent to the server as {name, value}, and
// nothing the server sends back (a live count, the sort in effect) replaces half-typed text.
// A count that changes is patched into its chip in place, so a keyboard user's focus stays.
// The chips are toggle buttons: Enter (Quasar's) and Space (ours) press them.
export default {
  template: `
    <div class="contents">
      <div class="row gap-2">
        <q-chip v-for="s in options.statuses" :key="s.value" clickable role="button"
          :color="s.color" :text-color="outlined(s.value) ? s.color : 'white'"
          :outline="outlined(s.value)" :icon="pressed(s.value) ? 'check' : undefined"
          :aria-pressed="pressed(s.value) ? 'true' : 'false'"
          :aria-label="'Show only ' + s.label + ' issues'"
          @click="only(s.value)" @keydown.space.prevent @keyup.space.prevent="only(s.value)">{{ s.label }} · {{ (counts[s.value] || 0).toLocaleString("en") }}</q-chip>
      </div>
      <div class="row w-full items-end gap-3">
        <q-input v-model="model.q" label="Search issues, comments and files" clearable dense
          :debounce="300" :maxlength="options.max_q" data-search :autofocus="autofocus"
          class="min-w-64 grow" @update:model-value="(v) => send('q', v)" />
        <q-select v-model="model.status" label="Status" :options="options.statuses" multiple
          clearable dense use-chips emit-value map-options class="min-w-40"
          @update:model-value="(v) => send('status', v || [])" />
        <q-select v-model="model.severity" label="Severity" :options="options.severities"
          multiple clearable dense use-chips emit-value map-options class="min-w-40"
          @update:model-value="(v) => send('severity', v || [])" />
        <q-input v-model="model.tag" label="Tag" clearable dense :debounce="400"
          :maxlength="options.max_tag" class="w-32" @update:model-value="(v) => send('tag', v)" />
        <template v-if="staff">
          <q-select v-model="model.show" label="Show" :options="options.show" dense emit-value
            map-options class="min-w-44" @update:model-value="(v) => send('show', v)" />
          <q-input v-model="model.reporter" label="Reporter (name or email)" clearable dense
            :debounce="400" :maxlength="options.max_reporter" class="min-w-48"
            @update:model-value="(v) => send('reporter', v)" />
        </template>
        <q-select :model-value="sort" label="Sort" :options="sorts" dense emit-value map-options
          class="min-w-44 sm:hidden" @update:model-value="(v) => send('sort', v)" />
        <q-chip v-if="model.signature" dense outline removable icon="bug_report"
          @remove="model.signature = null; send('signature', null)"
          >Crash signature {{ model.signature.slice(0, 12) }}</q-chip>
        <q-btn flat dense no-caps color="primary" icon="bookmark_add" label="Save view" @click="$emit('save')" />
      </div>
    </div>
  `,
  props: {
    values: Object, // the filters when the page was drawn
    counts: Object, // issues by status, kept current by the server
    sort: String, // the sort in effect (the table's headers change it too)
    sorts: Array, // the sorts offered: "Best match" while searching
    staff: Boolean,
    autofocus: Boolean,
  },
  data() {
    // What each field offers, the same for every page: in the page's head (filter_bar.py).
    return { model: { ...this.values }, options: window.trackerFilterOptions };
  },
  methods: {
    pressed(status) {
      return (this.model.status || []).includes(status);
    },
    outlined(status) {
      return (this.model.status || []).length > 0 && !this.pressed(status);
    },
    only(status) {
      const chosen = this.model.status || [];
      const only = chosen.length === 1 && chosen[0] === status ? [] : [status];
      this.model.status = only;
      this.send("status", only);
    },
    send(name, value) {
      this.$emit("filter", { name: name, value: value });
    },
  },
};

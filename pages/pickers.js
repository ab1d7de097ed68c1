// The issue page's assignee and tag pickers, drawn by the browser (pages/pickers.py). A choice
// is sent as `assign` {value} (0: nobody) or `tags` {value}; the server checks it as any
// request. The server sends what the issue holds with a new `drawn` (after a change, from
// here or elsewhere, or a refusal): the pickers show it, and text being typed stays.
export default {
  template: `
    <div class="contents">
      <q-select v-model="assignee" label="Assignee" :options="staff" dense emit-value map-options
        class="w-48" @update:model-value="(v) => $emit('assign', { value: v })" />
      <q-select v-model="chosen" label="Tags" :options="shown" multiple use-chips use-input
        new-value-mode="add-unique" :input-debounce="0" dense class="min-w-64"
        @filter="filter" @update:model-value="(v) => $emit('tags', { value: v || [] })" />
    </div>
  `,
  props: {
    assigned: Number, // the assignee's id, 0 for nobody
    staff: Array, // [{value: id, label: name}], "Unassigned" first
    tags: Array, // the tags
    known: Array, // every tag in use, offered while typing
    drawn: Number, // counts what the server sent
  },
  data() {
    return { assignee: this.assigned, chosen: [...this.tags], shown: this.known };
  },
  watch: {
    drawn() {
      this.assignee = this.assigned;
      this.chosen = [...this.tags];
    },
  },
  methods: {
    filter(text, update) {
      const needle = text.toLocaleLowerCase();
      update(() => {
        this.shown = needle
          ? this.known.filter((t) => t.toLocaleLowerCase().includes(needle))
          : this.known;
      });
    },
  },
};

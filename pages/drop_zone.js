// The drop zone (pages/uploads.py): Quasar's uploader, with its file input named for the
// keyboard and screen readers from the moment it is drawn. Quasar leaves the input without
// a label and wraps it in a "+" button that has no name either; the input is what a keyboard
// or screen reader uses ("Choose files"), the button around it only its picture. Quasar
// draws its header anew as files come and go, so every new input is named as it appears.
function nameParts(root) {
  for (const input of root.querySelectorAll("input[type=file]")) {
    if (input.getAttribute("aria-label") !== "Choose files") {
      input.setAttribute("aria-label", "Choose files");
      input.removeAttribute("tabindex");
    }
    const button = input.closest(".q-btn");
    if (button && button.getAttribute("role") !== "presentation") {
      button.setAttribute("role", "presentation");
    }
  }
}

export default {
  template: `
    <q-uploader ref="qRef" :url="target">
      <template v-for="(_, slot) in $slots" v-slot:[slot]="slotProps">
        <slot :name="slot" v-bind="slotProps || {}" />
      </template>
    </q-uploader>
  `,
  props: { url: String },
  data() {
    return { prefix: "" };
  },
  computed: {
    // Where the files go, under the app's path prefix when it has one (known once the app
    // is mounted, after this element).
    target() {
      return (this.url.startsWith("/") ? this.prefix : "") + this.url;
    },
  },
  mounted() {
    nameParts(this.$el);
    this.watcher = new MutationObserver(() => nameParts(this.$el));
    this.watcher.observe(this.$el, { childList: true, subtree: true });
    setTimeout(() => (this.prefix = window.path_prefix || ""), 0);
  },
  unmounted() {
    this.watcher.disconnect();
  },
};

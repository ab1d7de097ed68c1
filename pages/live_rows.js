// A live table's rows, received as a difference (pages/live_rows.py): rows named by id are
// taken from those the table holds, the others arrive whole. Should one be missing (it never
// should: ids are only sent for rows both sides hold), the whole table is asked for. Its
// selection arrives as ids. It is also the table's polite live region: what it is given to
// say (a list that changed by itself) is read out once by screen readers.

// What finds a control again once its cell is drawn anew: NiceGUI draws a table's cell
// templates as new components whenever the table changes (rows, selection, sorting), so a
// checkbox or header the keyboard was on is replaced, and the focus falls to the page.
function keyOf(node) {
  for (const name of ["aria-label", "data-col", "href"]) {
    const value = node.getAttribute && node.getAttribute(name);
    if (value) return `[${name}="${CSS.escape(value)}"]`;
  }
  return null;
}

// The rows the table holds, by id.
function rowsById(el) {
  return new Map((el.props.rows || []).map((row) => [row.id, row]));
}

export default {
  template: '<div class="sr-only" aria-live="polite">{{ said }}</div>',
  mounted() {
    // Keep the keyboard's place: a control in the table that lost the focus because it was
    // replaced (not because the user went elsewhere) hands it to its replacement.
    const box = this.$el.parentElement;
    let focused = null;
    box.addEventListener("focusin", (evt) => (focused = evt.target));
    box.addEventListener("focusout", (evt) => {
      // A control being replaced is still in the page when it loses the focus; after that
      // turn, only one the user left is.
      const left = evt.target;
      if (evt.relatedTarget) focused = null;
      else setTimeout(() => focused === left && left.isConnected && (focused = null));
    });
    this.keeper = new MutationObserver(() => {
      if (!focused || focused.isConnected) return;
      const active = document.activeElement;
      if (active && active !== document.body) return (focused = null);
      const key = keyOf(focused);
      const again = key && document.getElementById(`c${this.table}`)?.querySelector(key);
      if (again) again.focus();
    });
    this.keeper.observe(box, { subtree: true, childList: true });
  },
  unmounted() {
    this.keeper?.disconnect();
  },
  props: {
    table: Number,
    spec: String,
    serial: Number,
    picked: String,
    picks: Number,
    said: String,
  },
  watch: {
    picks() {
      // The selection, as ids: a row the table holds is named by itself (Quasar compares
      // rows by key), one on another page by its id alone.
      const el = mounted_app.elements[this.table];
      if (!el || !this.picked) return;
      const held = rowsById(el);
      el.props.selected = JSON.parse(this.picked).map((id) => held.get(id) || { id: id });
    },
    serial() {
      const el = mounted_app.elements[this.table];
      if (!el || !this.spec) return;
      const held = rowsById(el);
      const rows = JSON.parse(this.spec).map((x) => (typeof x === "number" ? held.get(x) : x));
      if (rows.includes(undefined)) this.$emit("resync");
      else el.props.rows = rows;
    },
  },
};

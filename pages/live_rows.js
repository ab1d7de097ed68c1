// A live table's rows, received as a difference (pages/live_rows.py): rows named by id are
// taken from those the table holds, the others arrive whole. Should one be missing (it never
// should: ids are only sent for rows both sides hold), the whole table is asked for.
export default {
  template: "<span hidden></span>",
  props: { table: Number, spec: String, serial: Number },
  watch: {
    serial() {
      const el = mounted_app.elements[this.table];
      if (!el || !this.spec) return;
      const held = new Map((el.props.rows || []).map((row) => [row.id, row]));
      const rows = JSON.parse(this.spec).map((x) => (typeof x === "number" ? held.get(x) : x));
      if (rows.includes(undefined)) this.$emit("resync");
      else el.props.rows = rows;
    },
  },
};

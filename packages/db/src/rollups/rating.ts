import { activity } from "./families.ts";
import { aliased, familySql } from "./family.ts";
import { fn, trigger, updateSql } from "./sql.ts";

/** Rating rows → activity ratings and thumbs. */
export const ratingSql = (source: string, sign: 1 | -1) => familySql(activity, "rating", aliased(source, "r", sign));

export const ratingFunctions = {
	inserted: fn("convolens_rating_inserted", ratingSql("new_rows", 1)),
	deleted: fn("convolens_rating_deleted", ratingSql("old_rows", -1)),
	updated: fn("convolens_rating_updated", updateSql(["created_at", "value", "bot_id"], ratingSql)),
};

export const ratingTriggers = {
	inserted: trigger("rating_rollup_insert", "rating", "INSERT", "convolens_rating_inserted"),
	deleted: trigger("rating_rollup_delete", "rating", "DELETE", "convolens_rating_deleted"),
	updated: trigger("rating_rollup_update", "rating", "UPDATE", "convolens_rating_updated"),
};

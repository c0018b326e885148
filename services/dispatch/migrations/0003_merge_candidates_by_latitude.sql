-- Merge candidates are looked up by category and a narrow band of latitude around the new report (a point within
-- the merge distance is never further away in latitude than that distance), instead of every case of the category
-- reported in the merge window: the lookup stays small however many cases are open.
CREATE INDEX cases_merge_by_latitude ON cases (category, lat);

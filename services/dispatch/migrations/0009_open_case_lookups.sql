-- Lookups that only ever want open cases read only open cases, however many closed ones years leave behind.
-- The status list is the lifecycle's OPEN (services/dispatch/domain/lifecycle.py), written out in the statements
-- that use these indexes (handlers/open_cases.py) so that every plan, generic or custom, can use them.

-- The merge lookup at intake: open cases of the category in a band of latitude. It replaces the index of every
-- case of the category by latitude, whose band held every case ever reported near the point (254 rows read and
-- 253 heap pages for one lookup at a million cases, in the generic plan).
DROP INDEX cases_merge_by_latitude;
CREATE INDEX cases_merge_open ON cases (category, lat)
    WHERE status IN ('accepted', 'assigned', 'in_progress', 'reopened', 'returned');

-- A unit's inbox: its open cases and the open cases escalated to it (a BitmapOr of the two), rather than every
-- open case of the district filtered by unit.
CREATE INDEX cases_unit_open ON cases (unit_id)
    WHERE status IN ('accepted', 'assigned', 'in_progress', 'reopened', 'returned');
CREATE INDEX cases_escalated_open ON cases (escalated_to)
    WHERE status IN ('accepted', 'assigned', 'in_progress', 'reopened', 'returned');

-- Statistics over a period read the cases opened in it, not every case.
CREATE INDEX cases_opened ON cases (opened_at);

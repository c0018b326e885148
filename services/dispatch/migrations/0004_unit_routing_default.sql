-- Which unit routing picks where several could be meant (two of a kind in one place, two street offices): the one
-- marked here, never the first by id. The bundle marks its units; an admin marks one through the API.
ALTER TABLE units ADD COLUMN routing_default boolean NOT NULL DEFAULT false;

-- Units already loaded from a bundle are its defaults, each where it is the only one of its kind and place;
-- units an admin created (their first change has no `before`) are not.
WITH from_bundle AS (
    SELECT * FROM units
     WHERE active AND id NOT IN (SELECT entity_id FROM reference_changes WHERE entity = 'unit' AND before IS NULL)
)
UPDATE units u SET routing_default = true
  FROM from_bundle b
 WHERE u.id = b.id
   AND NOT EXISTS (SELECT 1 FROM from_bundle o
                    WHERE o.id <> b.id AND o.kind = b.kind AND o.street_code IS NOT DISTINCT FROM b.street_code
                      AND o.community_code IS NOT DISTINCT FROM b.community_code);

-- At most one default per kind and place among the active units.
CREATE UNIQUE INDEX units_one_routing_default
    ON units (kind, coalesce(street_code, ''), coalesce(community_code, ''))
    WHERE routing_default AND active;

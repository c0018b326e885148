-- The short number people read and say for a case (立案编号), e.g. DD-2026-000123: the district's prefix, the year
-- the case was opened (district time) and a number from one sequence. A sequence, not a counter row, so that
-- concurrent openings never wait on each other; a rolled-back opening leaves a gap, which is harmless.
CREATE SEQUENCE case_numbers;

ALTER TABLE cases ADD COLUMN case_number text;

WITH numbered AS (
    SELECT case_id, opened_at, row_number() OVER (ORDER BY opened_at, case_id) AS n FROM cases
)
UPDATE cases c
   SET case_number = 'DD-' || to_char(numbered.opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
                     || lpad(numbered.n::text, 6, '0')
  FROM numbered WHERE numbered.case_id = c.case_id;

SELECT setval('case_numbers', greatest((SELECT count(*) FROM cases), 1), (SELECT count(*) FROM cases) > 0);

ALTER TABLE cases ALTER COLUMN case_number SET NOT NULL;
CREATE UNIQUE INDEX cases_by_number ON cases (case_number);

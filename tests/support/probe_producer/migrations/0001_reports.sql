-- A test service's own state: the reports it accepted, written with their events.
CREATE TABLE reports (
    report_id   uuid PRIMARY KEY,
    description text NOT NULL
);

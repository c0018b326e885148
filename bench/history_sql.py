"""The statements that generate a district's history inside PostgreSQL, from generate_series and a few temporary
tables (`history_plan`, one row of figures; `history_spots`, places with their category and routed unit;
`history_communities`). Every row is a function of its number, so a load is reproducible; identifiers are
md5-derived uuids, and every event id is the one the consuming service's inbox and the producer's outbox share.

Order matters: `history` (one row per report and its case, with every moment of its life) is made first, then
`history_events` (what each case published), and every table is filled from those two.
"""

from __future__ import annotations

# A uniform number in [0, 1) from an integer: the hash PostgreSQL uses for bigint keys.
UNIFORM = """
CREATE FUNCTION pg_temp.uniform(bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8($1)::bigint + 2147483648)::float8 / 4294967296.0::float8 $$
"""

TEMPORARY_TABLES = """
CREATE TEMP TABLE history_plan (
    now timestamptz NOT NULL, reports bigint NOT NULL, span interval NOT NULL, watchers bigint NOT NULL,
    shifts_per_day integer NOT NULL, shift_days integer NOT NULL, keep_since timestamptz NOT NULL,
    case_prefix text NOT NULL, open311_key text NOT NULL
);
CREATE TEMP TABLE history_spots (
    spot integer PRIMARY KEY, category text NOT NULL, severity text NOT NULL, allowed interval NOT NULL,
    lat float8 NOT NULL, lon float8 NOT NULL, community_code text NOT NULL, street_code text NOT NULL,
    grid_code text NOT NULL, unit_id text NOT NULL, routing_reason text NOT NULL, street_office text NOT NULL
);
CREATE TEMP TABLE history_communities (
    position integer PRIMARY KEY, community_code text NOT NULL, street_code text NOT NULL
);
"""

# One row per report and the case it opened. A 40th case is merged by a dispatcher into the case before it (its
# report moves there); 1% of the others are withdrawn at once (cancelled). The rest run their course by the
# clock: accepted within a tenth of the time allowed, resolved after 20–110% of it (so one in nine is late, and
# was escalated to the street office at the deadline), then verified (70%) or closed by themselves after 7 days.
HISTORY = """
CREATE TEMP TABLE history AS
WITH drawn AS (
    SELECT i,
           md5('report:' || i)::uuid AS report_id,
           md5('case:' || i)::uuid AS case_id,
           md5('story:' || i)::uuid AS correlation_id,
           1 + floor(pg_temp.uniform(i * 16 + 1) * (SELECT count(*) FROM history_spots))::int AS spot,
           (pg_temp.uniform(i * 16 + 2) - 0.5) * 1e-4 AS d_lat,
           (pg_temp.uniform(i * 16 + 3) - 0.5) * 1e-4 AS d_lon,
           p.now - p.span * ((p.reports - i + pg_temp.uniform(i * 16 + 4)) / p.reports) AS reported_at,
           1 + floor(pg_temp.uniform(i * 16 + 5) * greatest(p.watchers, 1))::bigint AS watcher_no,
           pg_temp.uniform(i * 16 + 6) AS u_accept,
           pg_temp.uniform(i * 16 + 7) AS u_resolve,
           pg_temp.uniform(i * 16 + 8) AS u_verify,
           pg_temp.uniform(i * 16 + 9) AS u_cancel,
           i % 50 = 7 AS open311,
           i % 5 = 0 AS photo,
           p.now
      FROM history_plan p, generate_series(1, p.reports) AS i
), timed AS (
    SELECT d.*, s.category, s.severity, s.allowed, s.lat + d.d_lat AS lat, s.lon + d.d_lon AS lon,
           s.community_code, s.street_code, s.grid_code, s.unit_id, s.routing_reason, s.street_office,
           d.reported_at + interval '1 second' AS opened_at,
           d.reported_at + interval '1 second' + s.allowed AS deadline,
           d.reported_at + interval '1 second' + s.allowed * (0.02 + 0.08 * d.u_accept) AS accepted_at,
           d.reported_at + interval '1 second' + s.allowed * (0.1 + 0.05 * d.u_accept) AS started_at,
           d.reported_at + interval '1 second' + s.allowed * (0.2 + 0.9 * d.u_resolve) AS resolved_at,
           d.reported_at + interval '2 minutes' AS merged_at,
           d.reported_at + interval '5 minutes' AS cancelled_at,
           d.i % 40 = 0 AND d.i > 1 AND d.reported_at + interval '2 minutes' <= d.now AS merged,
           d.i % 40 NOT IN (0, 39) AND d.u_cancel < 0.01 AND d.reported_at + interval '5 minutes' <= d.now
               AS cancelled
      FROM drawn d JOIN history_spots s USING (spot)
), closing AS (
    SELECT t.*,
           t.resolved_at + CASE WHEN t.u_verify < 0.7 THEN interval '4 hours' + t.u_verify * interval '20 hours'
                                ELSE interval '7 days' END AS closed_at,
           t.u_verify < 0.7 AS verified
      FROM timed t
), statused AS (
    SELECT c.*,
           CASE WHEN c.merged THEN 'merged'
                WHEN c.cancelled THEN 'cancelled'
                WHEN c.now < c.accepted_at THEN 'assigned'
                WHEN c.now < c.started_at THEN 'accepted'
                WHEN c.now < c.resolved_at THEN 'in_progress'
                WHEN c.now < c.closed_at THEN 'resolved'
                ELSE 'closed' END AS status
      FROM closing c
)
SELECT s.*,
       CASE WHEN s.merged THEN md5('case:' || (s.i - 1))::uuid ELSE s.case_id END AS holding_case_id,
       s.status NOT IN ('merged', 'cancelled') AND s.deadline < least(s.resolved_at, s.now) AS escalated,
       CASE WHEN s.deadline < s.accepted_at THEN 'assigned' WHEN s.deadline < s.started_at THEN 'accepted'
            ELSE 'in_progress' END AS status_at_deadline,
       s.status IN ('accepted', 'in_progress', 'resolved', 'closed') AS was_accepted,
       s.status IN ('in_progress', 'resolved', 'closed') AS was_started,
       s.status IN ('resolved', 'closed') AS was_resolved,
       'w-' || lpad(s.watcher_no::text, greatest(4, length(s.watcher_no::text)), '0') AS watcher_id
  FROM statused s
"""

# What each case published, and when: dispatch's events (patrol's projection and notify consume them) and
# patrol's own (dispatch consumes them).
EVENTS = """
CREATE TEMP TABLE history_events AS
SELECT h.i, e.source, e.event_type, e.at AS occurred_at, h.correlation_id,
       md5(e.event_type || ':' || h.i)::uuid AS event_id,
       CASE WHEN e.source = '/services/patrol' THEN h.report_id::text ELSE h.case_id::text END AS subject
  FROM history h CROSS JOIN LATERAL (VALUES
        ('/services/patrol', 'hazard.reported', h.reported_at, true),
        ('/services/patrol', 'hazard.withdrawn', h.cancelled_at - interval '1 second', h.status = 'cancelled'),
        ('/services/dispatch', 'dispatch.assigned', h.opened_at, true),
        ('/services/dispatch', 'hazard.merged', h.merged_at, h.status = 'merged'),
        ('/services/dispatch', 'dispatch.cancelled', h.cancelled_at, h.status = 'cancelled'),
        ('/services/dispatch', 'dispatch.accepted', h.accepted_at, h.was_accepted),
        ('/services/dispatch', 'dispatch.escalated', h.deadline, h.escalated),
        ('/services/dispatch', 'issue.resolved', h.resolved_at, h.was_resolved),
        ('/services/dispatch', 'issue.closed', h.closed_at, h.status = 'closed')
       ) AS e(source, event_type, at, happened)
 WHERE e.happened
"""

PATROL_WATCHERS = """
INSERT INTO patrol.watchers (watcher_id, display_name, community_code, street_code, active, phone,
                             preferred_language, registered_at, updated_at)
SELECT 'w-' || lpad(n::text, greatest(4, length(n::text)), '0'), '守望员' || n, c.community_code, c.street_code,
       true, '13' || lpad(n::text, 9, '0'), 'zh-CN', registered, registered
  FROM history_plan p CROSS JOIN generate_series(1, p.watchers) AS n
  JOIN history_communities c ON c.position = 1 + n % (SELECT count(*) FROM history_communities)
  CROSS JOIN LATERAL (SELECT p.now - p.span - interval '30 days' * pg_temp.uniform(n * 16 + 10) AS registered) r;
SELECT setval('patrol.watcher_numbers', greatest((SELECT watchers FROM history_plan), 1),
              (SELECT watchers FROM history_plan) > 0);
"""

# Ten years of duty shifts up to a month ahead: a few a day over the district, 3% cancelled.
PATROL_SHIFTS = """
INSERT INTO patrol.shifts (shift_id, watcher_id, community_code, starts_at, ends_at, status, scheduled_at,
                           cancelled_at, cancel_reason)
SELECT 's-' || left(md5('shift:' || n), 16), 'w-' || lpad(w::text, greatest(4, length(w::text)), '0'),
       c.community_code, starts, starts + interval '4 hours',
       CASE WHEN cancelled THEN 'cancelled' ELSE 'scheduled' END, starts - interval '7 days',
       CASE WHEN cancelled THEN starts - interval '1 day' END, CASE WHEN cancelled THEN '天气' END
  FROM history_plan p CROSS JOIN generate_series(1, p.shifts_per_day::bigint * p.shift_days) AS n
  CROSS JOIN LATERAL (SELECT 1 + floor(pg_temp.uniform(n * 16 + 11) * p.watchers)::bigint AS w,
                             date_trunc('day', p.now) + interval '30 days'
                                 - interval '1 day' * ((n - 1) / p.shifts_per_day)
                                 + interval '8 hours' + interval '4 hours' * (n % 3) AS starts,
                             pg_temp.uniform(n * 16 + 12) < 0.03 AS cancelled) AS s
  JOIN history_communities c ON c.position = 1 + w % (SELECT count(*) FROM history_communities)
 WHERE p.watchers > 0
"""

PATROL_REPORTS = """
INSERT INTO patrol.open311_api_keys (key_id, client_name, key_sha256, created_by, created_at)
SELECT p.open311_key, '12345 热线', md5('history key') || md5('history key'), 'admin', p.now - p.span - interval '60 days'
  FROM history_plan p WHERE p.reports > 0;
INSERT INTO patrol.reports (report_id, kind, category, description, lat, lon, community_code, street_code,
                            grid_code, severity, reporter_kind, reporter_id, submitted_by, channel, reported_at,
                            withdrawn_at, withdraw_reason)
SELECT h.report_id, 'hazard', h.category, '历史上报 ' || h.i, h.lat, h.lon, h.community_code, h.street_code,
       h.grid_code, h.severity,
       CASE WHEN h.open311 THEN 'open311' ELSE 'watcher' END,
       CASE WHEN h.open311 THEN p.open311_key ELSE h.watcher_id END,
       CASE WHEN h.open311 THEN NULL ELSE h.watcher_id END,
       CASE WHEN h.open311 THEN 'open311' ELSE 'app' END,
       h.reported_at,
       CASE WHEN h.status = 'cancelled' THEN h.cancelled_at - interval '1 second' END,
       CASE WHEN h.status = 'cancelled' THEN '已自行处理' END
  FROM history h, history_plan p;
INSERT INTO patrol.open311_requests (report_id, token, key_id, service_code)
SELECT h.report_id, md5('token:' || h.i), p.open311_key, h.category FROM history h, history_plan p WHERE h.open311;
INSERT INTO patrol.report_photos (report_id, position, sha256, extension, content_type, size_bytes)
SELECT h.report_id, 1, md5('photo:' || h.i) || md5('photo:' || h.i), 'jpg', 'image/jpeg', 180000 + h.i % 90000
  FROM history h WHERE h.photo;
INSERT INTO patrol.report_history (report_id, event_type, occurred_at, status, note, precedence)
SELECT h.report_id, e.event_type, e.at, e.status, e.note, e.precedence
  FROM history h CROSS JOIN LATERAL (VALUES
        ('hazard.reported', h.reported_at, 'submitted', '已提交', 0, true),
        ('hazard.withdrawn', h.cancelled_at - interval '1 second', 'withdrawn', '已撤回', 8, h.status = 'cancelled'),
        ('hazard.merged', h.merged_at, 'merged', '已与相同问题合并处理', 6, h.status = 'merged')
       ) AS e(event_type, at, status, note, precedence, happened)
 WHERE e.happened;
"""

# patrol's projection of dispatch's events: one timeline entry per event, and the reports each case holds.
PATROL_PROJECTION = """
INSERT INTO patrol.case_reports (case_id, report_id)
SELECT h.case_id, h.report_id FROM history h
UNION ALL
SELECT h.holding_case_id, h.report_id FROM history h WHERE h.status = 'merged';
INSERT INTO patrol.case_history (case_id, event_type, occurred_at, status, note, unit_id, deadline, precedence)
SELECT h.case_id, e.event_type, e.at, e.status, e.note, e.unit_id, e.deadline, e.precedence
  FROM history h CROSS JOIN LATERAL (VALUES
        ('dispatch.assigned', h.opened_at, 'assigned', '已派给处置单位', h.unit_id, h.deadline, 2, true),
        ('dispatch.cancelled', h.cancelled_at, 'cancelled', '已取消', NULL, NULL, 9, h.status = 'cancelled'),
        ('dispatch.accepted', h.accepted_at, 'accepted', '处置单位已受理', h.unit_id, NULL, 3, h.was_accepted),
        ('dispatch.escalated', h.deadline, 'escalated', '已超时，上报街道', h.street_office, h.deadline + h.allowed,
         4, h.escalated),
        ('issue.resolved', h.resolved_at, 'resolved', '已处置完毕', h.unit_id, NULL, 7, h.was_resolved),
        ('issue.closed', h.closed_at, 'closed', '已结案', NULL, NULL, 10, h.status = 'closed')
       ) AS e(event_type, at, status, note, unit_id, deadline, precedence, happened)
 WHERE e.happened;
"""

DISPATCH_CASES = """
INSERT INTO dispatch.cases (case_id, primary_report_id, kind, category, description, lat, lon, community_code,
                            street_code, grid_code, severity, status, unit_id, routing_reason, deadline, cycle,
                            escalation_level, escalated_to, escalate_at, reported_at, opened_at, accepted_at,
                            resolved_at, resolved_by, resolution_note, resolved_in_time, closed_at, merged_into,
                            updated_at, case_number, correlation_id)
SELECT h.case_id, h.report_id, 'hazard', h.category, '历史上报 ' || h.i, h.lat, h.lon, h.community_code,
       h.street_code, h.grid_code, h.severity, h.status, h.unit_id, h.routing_reason, h.deadline, 1,
       CASE WHEN h.escalated THEN 'street' ELSE 'unit' END,
       CASE WHEN h.escalated THEN h.street_office END,
       CASE WHEN h.status NOT IN ('assigned', 'accepted', 'in_progress') THEN NULL
            WHEN h.escalated THEN h.deadline + h.allowed ELSE h.deadline END,
       h.reported_at, h.opened_at,
       CASE WHEN h.was_accepted THEN h.accepted_at END,
       CASE WHEN h.was_resolved THEN h.resolved_at END,
       CASE WHEN h.was_resolved THEN 'h-' || h.unit_id END,
       CASE WHEN h.was_resolved THEN '已处置' END,
       CASE WHEN h.was_resolved THEN h.resolved_at <= h.deadline END,
       CASE WHEN h.status = 'closed' THEN h.closed_at END,
       CASE WHEN h.status = 'merged' THEN h.holding_case_id END,
       CASE h.status WHEN 'merged' THEN h.merged_at WHEN 'cancelled' THEN h.cancelled_at
                     WHEN 'assigned' THEN h.opened_at WHEN 'accepted' THEN h.accepted_at
                     WHEN 'in_progress' THEN h.started_at WHEN 'resolved' THEN h.resolved_at
                     ELSE h.closed_at END,
       p.case_prefix || '-' || to_char(h.opened_at AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
           || lpad(h.i::text, greatest(6, length(h.i::text)), '0'),
       h.correlation_id
  FROM history h, history_plan p;
SELECT setval('dispatch.case_numbers', greatest((SELECT reports FROM history_plan), 1),
              (SELECT reports FROM history_plan) > 0);
INSERT INTO dispatch.reports (report_id, case_id, kind, category, description, lat, lon, community_code,
                              street_code, grid_code, severity, reporter_kind, reporter_id, photo_urls,
                              reported_at, received_at, merged_by, merged_at, withdrawn_at, withdrawal_reason)
SELECT h.report_id, h.holding_case_id, 'hazard', h.category, '历史上报 ' || h.i, h.lat, h.lon, h.community_code,
       h.street_code, h.grid_code, h.severity,
       CASE WHEN h.open311 THEN 'open311' ELSE 'watcher' END,
       CASE WHEN h.open311 THEN p.open311_key ELSE h.watcher_id END,
       CASE WHEN h.photo THEN ARRAY['/photos/' || md5('photo:' || h.i) || md5('photo:' || h.i) || '.jpg']
            ELSE '{}' END,
       h.reported_at, h.reported_at + interval '50 milliseconds',
       CASE WHEN h.status = 'merged' THEN 'dispatcher' END,
       CASE WHEN h.status = 'merged' THEN h.merged_at END,
       CASE WHEN h.status = 'cancelled' THEN h.cancelled_at - interval '1 second' END,
       CASE WHEN h.status = 'cancelled' THEN '已自行处理' END
  FROM history h, history_plan p;
INSERT INTO dispatch.withdrawals (report_id, reason, withdrawn_at)
SELECT h.report_id, '已自行处理', h.cancelled_at - interval '1 second' FROM history h WHERE h.status = 'cancelled';
"""

# The audit trail, in the order things happened within each case (the board's timeline reads it by id).
DISPATCH_AUDIT = """
INSERT INTO dispatch.case_transitions (case_id, action, from_status, to_status, actor, reason, at)
SELECT t.case_id, t.action, t.from_status, t.to_status, t.actor, t.reason, t.at
  FROM (
    SELECT h.i, e.*
      FROM history h CROSS JOIN LATERAL (VALUES
            (h.case_id, 'open', NULL, 'assigned', 'system', h.routing_reason, h.opened_at, true),
            (h.holding_case_id, 'note', 'assigned', 'assigned', 'd-0001',
             'case ' || h.case_id || ' merged in (1 reports); 2 reporters', h.merged_at, h.status = 'merged'),
            (h.case_id, 'merge', 'assigned', 'merged', 'd-0001', 'merged into case ' || h.holding_case_id,
             h.merged_at, h.status = 'merged'),
            (h.case_id, 'withdraw', 'assigned', 'cancelled', 'system', '已自行处理', h.cancelled_at,
             h.status = 'cancelled'),
            (h.case_id, 'accept', 'assigned', 'accepted', 'h-' || h.unit_id, NULL, h.accepted_at, h.was_accepted),
            (h.case_id, 'escalate', h.status_at_deadline, h.status_at_deadline, 'system',
             'deadline ' || h.deadline || ' missed', h.deadline, h.escalated),
            (h.case_id, 'start', 'accepted', 'in_progress', 'h-' || h.unit_id, NULL, h.started_at, h.was_started),
            (h.case_id, 'resolve', 'in_progress', 'resolved', 'h-' || h.unit_id, '已处置', h.resolved_at,
             h.was_resolved),
            (h.case_id, CASE WHEN h.verified THEN 'verify' ELSE 'auto_close' END, 'resolved', 'closed',
             CASE WHEN h.verified THEN 'd-0001' ELSE 'system' END, NULL, h.closed_at, h.status = 'closed')
           ) AS e(case_id, action, from_status, to_status, actor, reason, at, happened)
     WHERE e.happened
  ) t
 ORDER BY t.i, t.at;
INSERT INTO dispatch.escalations (case_id, cycle, level, escalated_to, missed_deadline, escalated_at)
SELECT h.case_id, 1, 'street', h.street_office, h.deadline, h.deadline FROM history h WHERE h.escalated;
"""

# What notify sent: the unit hears of its case (and the street office of an escalation) by webhook, the reporter
# of its resolution by SMS; one attempt each, all sent.
NOTIFY = """
INSERT INTO notify.recipients (recipient_id, kind, display_name, as_of, updated_at)
SELECT 'w-' || lpad(n::text, greatest(4, length(n::text)), '0'), 'watcher', '守望员' || n, p.now - p.span, p.now - p.span
  FROM history_plan p, generate_series(1, p.watchers) AS n
ON CONFLICT DO NOTHING;
INSERT INTO notify.contact_points (recipient_id, channel, address)
SELECT 'w-' || lpad(n::text, greatest(4, length(n::text)), '0'), 'sms', '13' || lpad(n::text, 9, '0')
  FROM history_plan p, generate_series(1, p.watchers) AS n
ON CONFLICT DO NOTHING;
CREATE TEMP TABLE history_deliveries AS
SELECT md5('delivery:' || e.event_id)::uuid AS delivery_id, e.event_id, e.event_type, e.correlation_id,
       d.recipient_id, d.channel, d.rule_id, e.occurred_at + interval '20 milliseconds' AS created_at,
       e.occurred_at + interval '80 milliseconds' AS finished_at, h.severity IN ('high', 'urgent') AS urgent
  FROM history_events e JOIN history h USING (i)
  CROSS JOIN LATERAL (VALUES
        ('dispatch.assigned', 'unit:' || h.unit_id, 'webhook', 'dispatch-assigned-unit'),
        ('dispatch.escalated', 'unit:' || h.street_office, 'webhook', 'dispatch-escalated-next-level'),
        ('issue.resolved', CASE WHEN NOT h.open311 THEN h.watcher_id END, 'sms', 'issue-resolved-reporters')
       ) AS d(event_type, recipient_id, channel, rule_id)
 WHERE d.event_type = e.event_type AND d.recipient_id IS NOT NULL;
INSERT INTO notify.deliveries (delivery_id, cause_event_id, cause_event_type, correlation_id, recipient_id,
                               channel, purpose, rule_id, template, language, body, urgent, status, due_at,
                               next_attempt_at, attempts, created_at, finished_at)
SELECT delivery_id, event_id, event_type, correlation_id, recipient_id, channel, 'notice', rule_id, event_type,
       'zh-CN', '【大东区】' || event_type, urgent, 'sent', created_at, created_at, 1, created_at, finished_at
  FROM history_deliveries;
INSERT INTO notify.delivery_attempts (delivery_id, attempt, started_at, finished_at, outcome)
SELECT delivery_id, 1, created_at + interval '10 milliseconds', finished_at, 'success' FROM history_deliveries;
"""

# The backbone's tables as they stand: every event each service published, and every event each consumed. With
# retention, only rows newer than `keep_since` are left, except notify's `notification.sent`, which no queue is
# bound for: the relay marks it unroutable, and retention keeps unroutable rows for an operator.
BACKBONE = """
INSERT INTO patrol.outbox (event_id, source, event_type, version, subject, occurred_at, correlation_id, data,
                           created_at, published_at)
SELECT e.event_id, e.source, e.event_type, 1, e.subject, e.occurred_at, e.correlation_id,
       jsonb_build_object('report_id', e.subject), e.occurred_at, e.occurred_at + interval '5 milliseconds'
  FROM history_events e, history_plan p
 WHERE e.source = '/services/patrol' AND e.occurred_at >= p.keep_since;
INSERT INTO dispatch.outbox (event_id, source, event_type, version, subject, occurred_at, correlation_id, data,
                             created_at, published_at)
SELECT e.event_id, e.source, e.event_type, 1, e.subject, e.occurred_at, e.correlation_id,
       jsonb_build_object('case_id', e.subject), e.occurred_at, e.occurred_at + interval '5 milliseconds'
  FROM history_events e, history_plan p
 WHERE e.source = '/services/dispatch' AND e.occurred_at >= p.keep_since;
INSERT INTO notify.outbox (event_id, source, event_type, version, subject, occurred_at, correlation_id, data,
                           created_at, published_at, unroutable, publish_attempts, last_error)
SELECT md5('sent:' || d.delivery_id)::uuid, '/services/notify', 'notification.sent', 1, d.delivery_id::text,
       d.finished_at, d.correlation_id, jsonb_build_object('delivery_id', d.delivery_id), d.finished_at,
       d.finished_at + interval '5 milliseconds', true, 1, 'no queue is bound for it'
  FROM history_deliveries d;
INSERT INTO dispatch.inbox (source, event_id, event_type, correlation_id, handled_at)
SELECT e.source, e.event_id, e.event_type, e.correlation_id, e.occurred_at + interval '30 milliseconds'
  FROM history_events e, history_plan p
 WHERE e.event_type IN ('hazard.reported', 'hazard.withdrawn') AND e.occurred_at >= p.keep_since;
INSERT INTO patrol.inbox (source, event_id, event_type, correlation_id, handled_at)
SELECT e.source, e.event_id, e.event_type, e.correlation_id, e.occurred_at + interval '30 milliseconds'
  FROM history_events e, history_plan p
 WHERE e.source = '/services/dispatch' AND e.occurred_at >= p.keep_since;
INSERT INTO notify.inbox (source, event_id, event_type, correlation_id, handled_at)
SELECT e.source, e.event_id, e.event_type, e.correlation_id, e.occurred_at + interval '30 milliseconds'
  FROM history_events e, history_plan p
 WHERE e.event_type IN ('dispatch.assigned', 'dispatch.cancelled', 'dispatch.escalated', 'hazard.merged',
                        'issue.resolved')
   AND e.occurred_at >= p.keep_since;
"""

STEPS: tuple[tuple[str, str], ...] = (
    ("history", HISTORY),
    ("events", EVENTS),
    ("patrol watchers", PATROL_WATCHERS),
    ("patrol shifts", PATROL_SHIFTS),
    ("patrol reports", PATROL_REPORTS),
    ("patrol projection", PATROL_PROJECTION),
    ("dispatch cases", DISPATCH_CASES),
    ("dispatch audit", DISPATCH_AUDIT),
    ("notify", NOTIFY),
    ("backbone", BACKBONE),
)

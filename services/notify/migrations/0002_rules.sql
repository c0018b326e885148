-- Rules as data: which event tells whom. Editable through the admin API (/rules).
CREATE TABLE rules (
    rule_id           text PRIMARY KEY,
    event_type        text NOT NULL,
    selector          text NOT NULL,
    channels          text[] NOT NULL,
    all_channels      boolean NOT NULL DEFAULT false,
    urgency           text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent', 'by_severity')),
    template          text,                            -- null: the rule sends nothing (it only cancels)
    reminders         text[] NOT NULL DEFAULT '{}',    -- e.g. {-1d,-1h} or {-1d@20:00}
    reminder_field    text,                            -- the event field the reminders count back from
    reminder_key      text,                            -- e.g. shift:{shift_id}: ties reminders to their subject
    cancels_reminders text CHECK (cancels_reminders IN ('recipients', 'all')),
    enabled           boolean NOT NULL DEFAULT true,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rules_by_event ON rules (event_type) WHERE enabled;

INSERT INTO rules (rule_id, event_type, selector, channels, urgency, template, reminders, reminder_field,
                   reminder_key, cancels_reminders) VALUES
('dispatch-assigned-unit', 'dispatch.assigned', 'unit_from_field:unit_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'by_severity', 'dispatch.assigned', '{}', NULL, NULL, NULL),
('dispatch-escalated-next-level', 'dispatch.escalated', 'unit_from_field:escalated_to',
    '{wecom,dingtalk,sms,email,webhook,log}', 'urgent', 'dispatch.escalated', '{}', NULL, NULL, NULL),
('dispatch-returned-dispatchers', 'dispatch.returned', 'unit:district-office',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'dispatch.returned', '{}', NULL, NULL, NULL),
('issue-resolved-reporters', 'issue.resolved', 'people_from_list:reporters',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'issue.resolved', '{}', NULL, NULL, NULL),
('hazard-merged-reporter', 'hazard.merged', 'person_from_field:reporter',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'hazard.merged', '{}', NULL, NULL, NULL),
('issue-reopened-unit', 'issue.reopened', 'unit_from_field:unit_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'issue.reopened', '{}', NULL, NULL, NULL),
('patrol-shift-scheduled-watcher', 'patrol.shift.scheduled', 'person_from_field:watcher_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'patrol.shift.scheduled', '{-1d@20:00}', 'starts_at',
    'shift:{shift_id}', NULL),
('patrol-shift-cancelled-watcher', 'patrol.shift.cancelled', 'person_from_field:watcher_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'patrol.shift.cancelled', '{}', NULL,
    'shift:{shift_id}', 'all'),
('training-enrolment-confirmed-person', 'training.enrolment.confirmed', 'person_from_field:person_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'training.enrolment.confirmed', '{-1d,-1h}', 'starts_at',
    'session:{session_id}', NULL),
('training-enrolment-withdrawn-person', 'training.enrolment.withdrawn', 'person_from_field:person_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', NULL, '{}', NULL, 'session:{session_id}', 'recipients'),
('training-session-cancelled-enrolled', 'training.session.cancelled', 'people_from_list:enrolled_person_ids',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'training.session.cancelled', '{}', NULL,
    'session:{session_id}', 'all'),
('reserve-candidate-appointed', 'reserve.candidate.appointed', 'person_from_field:candidate_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'reserve.candidate.appointed', '{}', NULL, NULL, NULL);

INSERT INTO rules (rule_id, event_type, selector, channels, urgency, template) VALUES
('dispatch-reassigned-unit', 'dispatch.reassigned', 'unit_from_field:to_unit_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'dispatch.reassigned'),
('dispatch-cancelled-unit', 'dispatch.cancelled', 'unit_from_field:unit_id',
    '{wecom,dingtalk,sms,email,webhook,log}', 'normal', 'dispatch.cancelled');

-- The audit trail is append-only by rule, not by convention: what happened to a case (its transitions and
-- escalations) and who changed the reference data are never rewritten or removed by the service.
CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit table %.% is append-only: % refused', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER case_transitions_append_only BEFORE UPDATE OR DELETE ON case_transitions
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER escalations_append_only BEFORE UPDATE OR DELETE ON escalations
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER reference_changes_append_only BEFORE UPDATE OR DELETE ON reference_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

-- The service's role owns these tables; it keeps INSERT and SELECT and loses the rest.
REVOKE UPDATE, DELETE ON case_transitions, escalations, reference_changes FROM PUBLIC, CURRENT_USER;

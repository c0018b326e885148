"""Every route of every service, and what the scope rule asks of it.

`Scoped` rows touch a community's, a unit's or a person's data: the request reaches for community A's (or unit A's,
or a person of A's) thing, and every token that does not cover it must be refused (401, 403 or 404); a list that
is not filtered by place may instead answer 200 without naming the thing (`hides`), and a command that refuses a row of another place may answer 200 saying so (`refuses`). `Open` rows are public or
district-wide by design, or the caller's own by construction, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.integration.scope.district import A_UNIT, A, phone

Ids = dict[str, str]


@dataclass(frozen=True)
class Scoped:
    url: str  # formatted with the district's ids
    json: Callable[[Ids], Any] | None = None
    params: dict[str, str] = field(default_factory=dict)
    files: Callable[[Ids], Any] | None = None
    hides: str | None = None  # a 200 is right when its body does not name ids[hides]
    refuses: Callable[[Any], bool] | None = None  # a 200 is right when its JSON body says it did nothing

    def request(self, ids: Ids) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"params": self.params}
        if self.json is not None:
            kwargs["json"] = self.json(ids)
        if self.files is not None:
            kwargs["files"] = self.files(ids)
        return {"url": self.url.format(**ids), **kwargs}


@dataclass(frozen=True)
class Open:
    reason: str


HEALTH = Open("health checks: no data")
METRICS = Open("operational counters of the process: no personal data")
OWN = "the caller's own, by the token's subject"
REFERENCE = "district reference data (units, routing rules) kept by admins; dispatchers read it"
ADMIN = "admins only: district-wide by design"
PROGRAMME = "the district's training programme, public to its participants by design"
OPEN311 = "Open311 GeoReport v2 is public by specification: no reporter identity, keys for writes"


def _reason(text: str) -> Callable[[Ids], Any]:
    return lambda _ids: {"reason": text}


PATROL: dict[tuple[str, str], Scoped | Open] = {
    ("POST", "/watchers"): Scoped(
        "/watchers", json=lambda _: {"display_name": "新守望员", "phone": phone(), "community_code": A}
    ),
    ("GET", "/watchers"): Scoped("/watchers", params={"community_code": A}),
    ("POST", "/watchers/import"): Scoped(
        "/watchers/import",
        files=lambda _: {
            "file": ("w.csv", f"display_name,phone,community\n新守望员,{phone()},{A}\n".encode(), "text/csv")
        },
        # a community worker imports the rows of the communities they cover; the others are rejected, per row
        refuses=lambda body: (
            body["imported"] == 0 and [r["reason"] for r in body["rejects"]] == ["not_your_community"]
        ),
    ),
    ("GET", "/watchers/{watcher_id}"): Scoped("/watchers/{watcher}"),
    ("PATCH", "/watchers/{watcher_id}"): Scoped(
        "/watchers/{watcher}", json=lambda _: {"display_name": "改名"}
    ),
    ("POST", "/watchers/{watcher_id}/deactivate"): Scoped(
        "/watchers/{watcher}/deactivate", json=_reason("搬离社区")
    ),
    ("POST", "/shifts"): Scoped(
        "/shifts",
        json=lambda ids: {
            "watcher_id": ids["watcher"],
            "starts_at": "2027-01-05T08:00:00+08:00",
            "ends_at": "2027-01-05T12:00:00+08:00",
        },
    ),  # fmt: skip
    ("GET", "/shifts"): Scoped("/shifts", params={"community_code": A}),
    ("POST", "/shifts/{shift_id}/cancel"): Scoped("/shifts/{shift}/cancel", json=_reason("台风")),
    ("POST", "/rosters"): Scoped(
        "/rosters",
        json=lambda _: {
            "first_day": "2027-02-01",
            "last_day": "2027-02-01",
            "community_code": A,
            "slots": [{"start": "08:00", "end": "12:00"}],
            "preview": True,
        },
    ),  # fmt: skip
    ("GET", "/rosters/{roster_id}"): Scoped("/rosters/{roster}"),
    ("GET", "/me/shifts"): Open(OWN),
    ("POST", "/me/patrols"): Open(OWN),
    ("GET", "/me/patrols"): Open(OWN),
    ("GET", "/me/patrols/{patrol_id}"): Open(OWN),
    ("POST", "/me/patrols/{patrol_id}/notes"): Open(OWN),
    ("POST", "/me/patrols/{patrol_id}/end"): Open(OWN),
    ("GET", "/patrols"): Scoped("/patrols", params={"community_code": A}),
    ("GET", "/patrols/{patrol_id}"): Scoped("/patrols/{patrol}"),
    ("POST", "/reports"): Open(
        "anyone with a reporting role reports what they see, anywhere; the report is theirs"
    ),
    ("GET", "/me/reports"): Open(OWN),
    ("GET", "/reports/{report_id}"): Scoped("/reports/{report_0}"),
    ("POST", "/reports/{report_id}/withdraw"): Scoped("/reports/{report_0}/withdraw", json=_reason("已清理")),
    ("POST", "/households"): Scoped(
        "/households", json=lambda _: {"community_code": A, "address_label": f"范围测试 {phone()}"}
    ),
    ("GET", "/households"): Scoped("/households", params={"community_code": A}),
    ("GET", "/households/{household_id}"): Scoped("/households/{household}"),
    ("POST", "/households/{household_id}/visits"): Scoped(
        "/households/{household}/visits", json=lambda _: {"answered": False}
    ),
    ("GET", "/statistics/visits"): Scoped(
        "/statistics/visits", params={"community_code": A}, hides="community"
    ),
    ("GET", "/categories"): Open("the category catalogue, public by design"),
    ("POST", "/photos"): Open(
        "a handler's after-photo, stored by its content's address: no one's data until a case links it"
    ),
    ("GET", "/photos/{name}"): Open(
        "content-addressed (sha256) photos, linked from the reports that may be seen"
    ),
    ("GET", "/open311/v2/discovery.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/services.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/services/{service_code}.{format}"): Open(OPEN311),
    ("POST", "/open311/v2/requests.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/requests.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/requests/{service_request_id}.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/tokens/{token}.{format}"): Open(OPEN311),
    ("GET", "/open311/v2/servicerequestupdates.{format}"): Open(OPEN311),
    ("POST", "/open311/keys"): Open(ADMIN),
    ("DELETE", "/open311/keys/{key_id}"): Open(ADMIN),
    ("GET", "/healthz"): HEALTH,
    ("GET", "/readyz"): HEALTH,
    ("GET", "/metrics"): METRICS,
}

DISPATCH: dict[tuple[str, str], Scoped | Open] = {
    ("GET", "/cases"): Scoped("/cases", params={"community_code": A}),
    ("GET", "/cases/{case_id}"): Scoped("/cases/{case}"),
    ("GET", "/cases/{case_id}/timeline"): Scoped("/cases/{case}/timeline"),
    ("POST", "/cases/{case_id}/accept"): Scoped("/cases/{case}/accept"),
    ("POST", "/cases/{case_id}/start"): Scoped("/cases/{case}/start"),
    ("POST", "/cases/{case_id}/resolve"): Scoped("/cases/{case}/resolve", json=lambda _: {"note": "已清理"}),
    ("POST", "/cases/{case_id}/return"): Scoped("/cases/{case}/return", json=_reason("不归我们管")),
    ("POST", "/cases/{case_id}/reassign"): Scoped(
        "/cases/{case}/reassign", json=lambda _: {"unit_id": "WG-TJ-committee", "reason": "改派"}
    ),
    ("POST", "/cases/{case_id}/verify"): Scoped("/cases/{case}/verify"),
    ("POST", "/cases/{case_id}/reopen"): Scoped("/cases/{case}/reopen", json=_reason("没修好")),
    ("POST", "/cases/{case_id}/merge"): Scoped(
        "/cases/{case}/merge", json=lambda ids: {"into_case_id": ids["other_case"]}
    ),
    ("POST", "/cases/{case_id}/split"): Scoped(
        "/cases/{case}/split", json=lambda ids: {"report_id": ids["report_0"]}
    ),
    ("GET", "/units/{unit_id}/cases"): Scoped(f"/units/{A_UNIT}/cases"),
    ("GET", "/me/units"): Open(OWN),
    ("GET", "/statistics"): Scoped("/statistics", params={"by": "community"}, hides="community"),
    ("GET", "/admin/units"): Open(REFERENCE),
    ("PUT", "/admin/units/{unit_id}"): Open(ADMIN),
    ("GET", "/admin/routing-rules"): Open(REFERENCE),
    ("POST", "/admin/routing-rules"): Open(ADMIN),
    ("PUT", "/admin/routing-rules/{rule_id}"): Open(ADMIN),
    ("DELETE", "/admin/routing-rules/{rule_id}"): Open(ADMIN),
    ("PUT", "/admin/units/{unit_id}/members/{person_id}"): Open(ADMIN),
    ("DELETE", "/admin/units/{unit_id}/members/{person_id}"): Open(ADMIN),
    ("GET", "/admin/changes"): Open(ADMIN),
    ("GET", "/healthz"): HEALTH,
    ("GET", "/readyz"): HEALTH,
    ("GET", "/metrics"): METRICS,
}

NOTIFY: dict[tuple[str, str], Scoped | Open] = {
    ("GET", "/people/{person_id}/notifications"): Scoped("/people/{watcher}/notifications"),
    ("GET", "/units/{unit_id}/notifications"): Scoped(f"/units/{A_UNIT}/notifications"),
    ("GET", "/deliveries/{delivery_id}"): Scoped("/deliveries/{delivery}"),
    ("POST", "/deliveries/{delivery_id}/resend"): Scoped("/deliveries/{delivery}/resend"),
    ("GET", "/people/{person_id}"): Scoped("/people/{watcher}"),
    ("PUT", "/people/{person_id}/quiet-hours"): Scoped(
        "/people/{watcher}/quiet-hours", json=lambda _: {"start": "22:00:00", "end": "07:00:00"}
    ),
    ("GET", "/rules"): Open(ADMIN),
    ("GET", "/rules/{rule_id}"): Open(ADMIN),
    ("PUT", "/rules/{rule_id}"): Open(ADMIN),
    ("DELETE", "/rules/{rule_id}"): Open(ADMIN),
    ("GET", "/healthz"): HEALTH,
    ("GET", "/readyz"): HEALTH,
    ("GET", "/metrics"): METRICS,
}

TRAINING: dict[tuple[str, str], Scoped | Open] = {
    ("GET", "/organisations"): Open(
        "the district's organisations and their secretaries: a directory by design"
    ),
    ("PUT", "/organisations/{code}/secretary"): Scoped(
        f"/organisations/{A}/secretary", json=lambda ids: {"person_id": ids["secretary"]}
    ),
    ("DELETE", "/organisations/{code}/secretary"): Open(ADMIN),
    ("POST", "/people"): Scoped(
        "/people", json=lambda _: {"display_name": "新人", "roles": ["secretary"], "organisation_code": A}
    ),
    ("GET", "/people"): Scoped("/people", params={"organisation_code": A}),
    ("PUT", "/people/{person_id}"): Scoped(
        "/people/{secretary}",
        json=lambda _: {"display_name": "改名", "roles": ["secretary"], "organisation_code": A},
    ),
    ("GET", "/people/{person_id}"): Scoped("/people/{secretary}"),
    ("GET", "/people/{person_id}/record"): Scoped("/people/{secretary}/record"),
    ("PUT", "/tracks/{code}"): Open(PROGRAMME),
    ("GET", "/tracks"): Open(PROGRAMME),
    ("GET", "/courses"): Open(PROGRAMME),
    ("POST", "/courses"): Open(PROGRAMME),
    ("GET", "/studios"): Open(PROGRAMME),
    ("POST", "/studios"): Open(PROGRAMME),
    ("POST", "/pairings"): Scoped(
        "/pairings",
        json=lambda ids: {
            "studio_id": ids["studio"],
            "mentor_id": ids["mentor"],
            "mentee_id": ids["candidate"],
            "started_on": "2026-04-01",
            "goals": "走访",
        },
    ),  # fmt: skip
    ("GET", "/pairings/{pairing_id}"): Scoped("/pairings/{pairing}"),
    ("POST", "/pairings/{pairing_id}/notes"): Scoped(
        "/pairings/{pairing}/notes", json=lambda _: {"noted_on": "2026-05-01", "progress": "进步"}
    ),
    ("POST", "/pairings/{pairing_id}/end"): Scoped(
        "/pairings/{pairing}/end", json=lambda _: {"ended_on": "2026-09-01"}
    ),
    ("POST", "/sessions"): Open(PROGRAMME),
    ("GET", "/sessions"): Open(PROGRAMME),
    ("GET", "/sessions/{session_id}"): Open(PROGRAMME),
    ("POST", "/sessions/{session_id}/enrolments"): Open(f"{OWN}, or the programme's trainers"),
    ("DELETE", "/sessions/{session_id}/enrolments/{person_id}"): Open(f"{OWN}, or the programme's trainers"),
    ("POST", "/sessions/{session_id}/cancel"): Open(PROGRAMME),
    ("POST", "/sessions/{session_id}/attendance"): Open(PROGRAMME),
    ("POST", "/sessions/{session_id}/feedback"): Open(OWN),
    ("POST", "/sessions/{session_id}/materials"): Open(PROGRAMME),
    ("POST", "/reserve/nominations"): Scoped(
        "/reserve/nominations",
        json=lambda ids: {
            "person_id": ids["secretary"],
            "organisation_code": A,
            "nominated_by": "organisation",
        },
    ),
    ("GET", "/reserve/pool"): Open("counts per organisation against the target, no people"),
    ("GET", "/reserve/candidates"): Scoped("/reserve/candidates", params={"organisation_code": A}),
    ("GET", "/reserve/candidates/{candidate_id}"): Scoped("/reserve/candidates/{candidate_id}"),
    ("POST", "/reserve/candidates/{candidate_id}/stage"): Scoped(
        "/reserve/candidates/{candidate_id}/stage", json=lambda _: {"stage": "in_cultivation"}
    ),
    ("POST", "/reserve/candidates/{candidate_id}/appoint"): Scoped(
        "/reserve/candidates/{candidate_id}/appoint", json=lambda _: {}
    ),
    ("POST", "/reserve/candidates/{candidate_id}/records"): Scoped(
        "/reserve/candidates/{candidate_id}/records",
        json=lambda _: {"kind": "rotation", "post": "网格员", "occurred_on": "2026-05-01", "summary": "轮岗"},
    ),
    ("POST", "/assistance"): Scoped(
        "/assistance", json=lambda ids: {"organisation_code": A, "area": "党建", "helper_id": ids["helper"]}
    ),
    ("GET", "/assistance"): Scoped("/assistance", hides="assistance"),
    ("GET", "/assistance/{assistance_id}"): Scoped("/assistance/{assistance}"),
    ("POST", "/assistance/{assistance_id}/visit"): Scoped(
        "/assistance/{assistance}/visit", json=lambda _: {"analysis": "经费台账不全", "guidance": "建立台账"}
    ),
    ("POST", "/assistance/{assistance_id}/followups"): Scoped(
        "/assistance/{assistance}/followups", json=lambda _: {"noted_on": "2026-05-01", "note": "已整改"}
    ),
    ("POST", "/assistance/{assistance_id}/close"): Scoped("/assistance/{assistance}/close"),
    ("POST", "/competitions"): Open("the Social Worker Cup is the district's, run by its trainers"),
    ("GET", "/competitions"): Open(
        "the Social Worker Cup is the district's: titles, statuses and counts, no people"
    ),
    ("POST", "/competitions/{competition_id}/contestants"): Open("the Social Worker Cup is the district's"),
    ("POST", "/competitions/{competition_id}/preliminary"): Open("the Social Worker Cup is the district's"),
    ("POST", "/competitions/{competition_id}/scores"): Open("the Social Worker Cup is the district's"),
    ("GET", "/competitions/{competition_id}/ranking"): Open("the Social Worker Cup is the district's"),
    ("POST", "/competitions/{competition_id}/publish"): Open("the Social Worker Cup is the district's"),
    ("GET", "/competitions/{competition_id}/results"): Open("published results, public by design"),
    ("GET", "/statistics"): Open("district figures, no people"),
    ("GET", "/healthz"): HEALTH,
    ("GET", "/readyz"): HEALTH,
    ("GET", "/metrics"): METRICS,
}

TABLE = {"patrol": PATROL, "dispatch": DISPATCH, "notify": NOTIFY, "training": TRAINING}

"""The Social Worker Cup ranks as a hand-computed example does, ties included, and publishes its results."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.training.conftest import outbox

# Registration order A, B, C, D, E. The preliminary keeps four: E ties D at 80 and registered later, so E is out.
CONTESTANTS = {"A": "WG-TJ", "B": "S02-C01", "C": "WG-RL", "D": "S02-C02", "E": "WG-BY"}
PRELIMINARY = {"A": 90, "B": 85, "C": 80, "D": 80, "E": 80}
# Judges J1, J2, J3; per round the scores of J1, J2, J3.
SCORES = {
    "A": {1: (80, 90, 85), 2: (90, 90, 90), 3: (85, 85, 85)},  # 85 + 90 + 85 = 260
    "B": {1: (90, 91, 89), 2: (85, 85, 85), 3: (85, 85, 85)},  # 90 + 85 + 85 = 260, lower in round 2 than A
    "C": {1: (85, 85, 85), 2: (80, 80, 81), 3: (90, 90, 90)},  # 85 + 80⅓ + 90 = 255⅓
    "D": {
        1: (84, 85, 86),
        2: (79, 81, 81),
        3: (90, 90, 90),
    },  # the same averages as C in every round: shared rank
}
# By hand: A and B tie on 260, round 3 ties at 85, round 2 puts A (90) before B (85).
# C and D tie on every criterion and share rank 3, listed in registration order; nobody is 4th.
EXPECTED = [("A", 1, 260.0), ("B", 2, 260.0), ("C", 3, 255.333), ("D", 3, 255.333)]


async def _competition_ready_for_scoring(api) -> str:
    cup = (await api.post("/competitions", {"title": "社工杯", "finalists": 4}, expect=201)).json()[
        "competition_id"
    ]
    for person_id, organisation in CONTESTANTS.items():
        await api.person(person_id, ["community_worker"], organisation)
        await api.post(f"/competitions/{cup}/contestants", {"person_id": person_id}, expect=201)
    scores = [{"person_id": p, "score": s} for p, s in PRELIMINARY.items()]
    finalists = await api.post(f"/competitions/{cup}/preliminary", {"scores": scores}, expect=200)
    assert finalists.json()["finalists"] == ["A", "B", "C", "D"]
    return cup


async def test_three_rounds_by_three_judges_rank_as_computed_by_hand_with_ties(api, admin_db):
    cup = await _competition_ready_for_scoring(api)
    for person_id, rounds in SCORES.items():
        for round_, by_judge in rounds.items():
            for judge, score in zip(("J1", "J2", "J3"), by_judge, strict=True):
                body = {"round": round_, "person_id": person_id, "score": score}
                await api.post(f"/competitions/{cup}/scores", body, headers=api.as_trainer(judge), expect=201)

    published = await api.post(f"/competitions/{cup}/publish", expect=200)
    ranking = [(line["person_id"], line["rank"], line["total"]) for line in published.json()["ranking"]]
    assert ranking == EXPECTED
    [event] = await outbox(admin_db, "competition.results.published")
    assert [(line["person_id"], line["rank"], line["total"]) for line in event["ranking"]] == EXPECTED
    assert event["ranking"][2]["round_averages"] == [85.0, 80.333, 90.0]
    assert "round 3" in event["tie_break"]

    wenguan = await api.get(f"/competitions/{cup}/results", street_code="WG")
    assert [(line["person_id"], line["rank"]) for line in wenguan["ranking"]] == [("A", 1), ("C", 3)]


async def test_a_judge_scoring_a_round_twice_or_a_non_finalist_is_refused_naming_it(api):
    cup = await _competition_ready_for_scoring(api)
    body = {"round": 1, "person_id": "A", "score": 80}
    await api.post(f"/competitions/{cup}/scores", body, headers=api.as_trainer("J1"), expect=201)
    twice = await api.post(f"/competitions/{cup}/scores", body | {"score": 99}, headers=api.as_trainer("J1"))
    assert twice.status_code == 409
    assert twice.json()["field"] == "round" and "J1" in twice.json()["detail"]
    other_judge = await api.post(f"/competitions/{cup}/scores", body, headers=api.as_trainer("J2"))
    assert other_judge.status_code == 201
    out = await api.post(
        f"/competitions/{cup}/scores", body | {"person_id": "E"}, headers=api.as_trainer("J1")
    )
    assert out.status_code == 422 and out.json()["errors"][0]["field"] == "person_id"
    fourth_round = await api.post(f"/competitions/{cup}/scores", body | {"round": 4})
    assert fourth_round.status_code == 422 and fourth_round.json()["errors"][0]["loc"][-1] == "round"
    incomplete = await api.post(f"/competitions/{cup}/publish")
    assert incomplete.status_code == 409 and incomplete.json()["field"] == "round"
    late = await api.post(f"/competitions/{cup}/contestants", {"person_id": "E"})
    assert late.status_code == 409 and late.json()["field"] == "status"


async def test_the_cups_are_listed_newest_first_with_their_counts_even_before_anyone_registers(api, clock):
    scored = await _competition_ready_for_scoring(api)
    clock.advance(timedelta(days=1))
    opened = await api.post("/competitions", {"title": "第三届社工杯", "finalists": 20}, expect=201)
    empty = opened.json()["competition_id"]
    listed = await api.get("/competitions", headers=api.as_worker("A"))
    ours = {cup["competition_id"]: cup for cup in listed if cup["competition_id"] in (scored, empty)}
    assert list(ours) == [empty, scored]
    assert (ours[scored]["status"], ours[scored]["registered"], ours[scored]["finalists"]) == ("final", 5, 4)
    assert (ours[empty]["status"], ours[empty]["registered"], ours[empty]["finalists_planned"]) == (
        "registration",
        0,
        20,
    )
    in_final = [cup["competition_id"] for cup in await api.get("/competitions", status="final")]
    assert scored in in_final
    assert empty not in in_final


async def test_the_cups_are_listed_only_to_a_signed_in_caller_and_a_wrong_status_is_named(api):
    assert (await api.client.get("/competitions")).status_code == 401
    wrong = await api.client.get("/competitions", params={"status": "over"}, headers=api.as_trainer())
    assert wrong.status_code == 422
    assert "status" in wrong.text

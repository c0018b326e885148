"""SAMPLE DATA: the source article's figures, loaded through the ordinary handlers.

8 secretary salons, 7 lecture halls, a case-workshop course of 16 classes, 5 district mentor studios, 290 reserve
candidates for 145 organisations, a Social Worker Cup with 20 finalists from 1,500+ community workers, and a Party
lesson for 120+ community workers. Names are invented (marked 样例), except the people the article names; every
row is flagged `sample`. Loading twice changes nothing.

    python -m services.training load-sample
"""

from __future__ import annotations

import random
from datetime import timedelta

from services.training.handlers import competition as cup
from services.training.handlers.mentoring import OpenStudio, PairMentor, open_studio, pair
from services.training.handlers.people import RegisterPerson, change_roles, register_person
from services.training.handlers.programmes import CreateCourse, DefineTrack, create_course, define_track
from services.training.handlers.reserve import Nominate, nominate
from services.training.handlers.sample_figures import (
    ARTICLE_SECRETARIES,
    COMMUNITY_WORKERS,
    JUDGES,
    LECTURE_TOPICS,
    PARTY_LESSON_AUDIENCE,
    SALON_TOPICS,
    TRACKS,
    WORKSHOP_TOPICS,
)
from services.training.handlers.session_records import AttendanceEntry, RecordAttendance, record_attendance
from services.training.handlers.sessions import ScheduleSession, schedule_session
from shared.unit_of_work import UnitOfWork

MARKER = "sample-lecturer-liu"


async def load_sample(uow: UnitOfWork) -> dict[str, int]:
    """Load the sample once (in the caller's transaction); an empty answer means it was loaded before."""
    if await uow.conn.fetchval("SELECT true FROM people WHERE person_id = $1", MARKER):
        return {}
    organisations = await uow.conn.fetch("SELECT code, name_zh FROM organisations ORDER BY street_code, code")
    if not organisations:
        raise RuntimeError("load the reference bundle first: the sample needs the organisations")
    rng = random.Random(2026)
    secretaries = await _secretaries(uow, organisations)
    await _people(uow, MARKER, "刘志魁", ["lecturer"], None)
    for code, track in TRACKS.items():
        await define_track(uow, code, DefineTrack(**track))
    sessions = await _sessions(uow, secretaries)
    studios = await _studios(uow, secretaries)
    candidates = await _reserve(uow, organisations)
    workers = await _workers(uow, organisations)
    await _party_lesson(uow, workers[:PARTY_LESSON_AUDIENCE])
    await _competition(uow, workers, rng)
    return {
        "secretaries": len(secretaries),
        "sessions": sessions,
        "studios": studios,
        "candidates": candidates,
        "community_workers": len(workers),
    }


async def _people(
    uow: UnitOfWork, person_id: str, name: str, roles: list[str], organisation: str | None
) -> str:
    command = RegisterPerson(
        person_id=person_id, display_name=name, roles=roles, organisation_code=organisation
    )
    return await register_person(uow, command, sample=True)


async def _secretaries(uow: UnitOfWork, organisations) -> list[str]:
    ids = []
    for row in organisations:
        name = ARTICLE_SECRETARIES.get(row["code"], f"{row['name_zh']}书记（样例）")
        person_id = await _people(uow, f"sample-sec-{row['code']}", name, ["secretary"], row["code"])
        await uow.conn.execute(
            "UPDATE organisations SET secretary_id = $2, secretary_post = '社区党委书记'"
            " WHERE code = $1 AND secretary_id IS NULL",
            row["code"],
            person_id,
        )
        ids.append(person_id)
    return ids


async def _session(uow: UnitOfWork, kind: str, title: str, topic: str, days_ago: int, **extra) -> str:
    starts = uow.context.clock.now() - timedelta(days=days_ago)
    command = ScheduleSession(
        kind=kind, title=title, topic=topic, place=extra.pop("place", "大东区党群服务中心（样例）"),
        starts_at=starts, ends_at=starts + timedelta(hours=extra.pop("hours", 3)),
        capacity=extra.pop("capacity", 60), **extra,
    )  # fmt: skip
    return await schedule_session(uow, command, sample=True)


async def _attend(uow: UnitOfWork, session_id: str, people: list[str]) -> None:
    entries = [AttendanceEntry(person_id=p) for p in people]
    await record_attendance(uow, session_id, RecordAttendance(entries=entries))


async def _sessions(uow: UnitOfWork, secretaries: list[str]) -> int:
    held = 0
    for n, topic in enumerate(SALON_TOPICS):
        sid = await _session(uow, "salon", f"第{n + 1}期书记沙龙：{topic}", topic, 300 - n * 30)
        await _attend(uow, sid, secretaries[n * 18 : n * 18 + 30])
        held += 1
    for n, topic in enumerate(LECTURE_TOPICS):
        sid = await _session(
            uow, "lecture_hall", f"第{n + 1}期书记大讲堂：{topic}", topic, 290 - n * 35, capacity=150
        )
        await _attend(uow, sid, secretaries)
        held += 1
    course = CreateCourse(
        title="基层治理案例工坊", description="“解剖麻雀”式研讨与角色扮演模拟推演", planned_sessions=16
    )
    course_id = await create_course(uow, course, sample=True)
    for n, topic in enumerate(WORKSHOP_TOPICS):
        lecturer = "sample-sec-WG-BY" if n == 0 else None
        sid = await _session(
            uow, "case_workshop", f"案例工坊第{n + 1}课：{topic}", topic, 280 - n * 15,
            course_id=course_id, lecturer_id=lecturer, capacity=40,
        )  # fmt: skip
        await _attend(uow, sid, secretaries[(n * 9) % len(secretaries) :][:36])
        held += 1
    trip = await _session(
        uow, "study_trip", "赴杭州学习社区治理经验", "先进地区学习", 200, hours=8, place="杭州"
    )
    await _attend(uow, trip, secretaries[:20])
    return held + 1


async def _studios(uow: UnitOfWork, secretaries: list[str]) -> int:
    mentors = ["sample-sec-WG-RL", "sample-sec-WG-BY", *secretaries[10:13]]
    mentees = [s for s in secretaries if s not in mentors]
    start = (uow.context.clock.now() - timedelta(days=180)).date()
    for n, mentor in enumerate(mentors):
        await change_roles(uow, mentor, add="mentor")
        studio = await open_studio(
            uow, OpenStudio(name=f"区级导师工作室{n + 1}（样例）", lead_mentor_id=mentor), sample=True
        )
        for mentee in mentees[n * 4 : n * 4 + 4]:
            goals = "提升群众工作与矛盾调解能力"
            await pair(
                uow,
                PairMentor(
                    studio_id=studio, mentor_id=mentor, mentee_id=mentee, started_on=start, goals=goals
                ),
            )
    return len(mentors)


async def _reserve(uow: UnitOfWork, organisations) -> int:
    channels = ("organisation", "masses", "self")
    count = 0
    for row in organisations:
        for n in (1, 2):
            person_id = await _people(
                uow,
                f"sample-res-{row['code']}-{n}",
                f"{row['name_zh']}后备{n}（样例）",
                ["community_worker"],
                row["code"],
            )
            channel = channels[count % 3]
            await nominate(
                uow,
                Nominate(person_id=person_id, organisation_code=row["code"], nominated_by=channel),
                sample=True,
            )
            count += 1
    return count


async def _workers(uow: UnitOfWork, organisations) -> list[str]:
    workers = []
    for n in range(COMMUNITY_WORKERS):
        row = organisations[n % len(organisations)]
        person_id = f"sample-cw-{n + 1:04d}"
        workers.append(
            await _people(uow, person_id, f"社区工作者{n + 1}（样例）", ["community_worker"], row["code"])
        )
    return workers


async def _party_lesson(uow: UnitOfWork, audience: list[str]) -> None:
    sid = await _session(
        uow, "party_lesson", "精品党课进基层：共产党员的样子", "理想信念", 60,
        lecturer_id=MARKER, capacity=150, hours=2,
    )  # fmt: skip
    await _attend(uow, sid, audience)


async def _competition(uow: UnitOfWork, workers: list[str], rng: random.Random) -> None:
    cid = await cup.open_competition(
        uow, cup.OpenCompetition(title="第二届“社工杯”职业能力大赛（样例）", finalists=20), sample=True
    )
    for worker in workers:
        await cup.register(uow, cid, cup.Register(person_id=worker))
    scores = [cup.PreliminaryScore(person_id=w, score=round(rng.uniform(50, 100), 1)) for w in workers]
    finalists = await cup.run_preliminary(uow, cid, cup.RunPreliminary(scores=scores))
    for judge in JUDGES:
        await _people(uow, judge, f"评委{judge[-1]}（样例）", ["trainer"], None)
    for finalist in finalists:
        for round_ in (1, 2, 3):
            for judge in JUDGES:
                score = cup.Score(round=round_, person_id=finalist, score=round(rng.uniform(70, 100), 1))
                await cup.score(uow, cid, judge, score)
    await cup.publish_results(uow, cid)

"""SAMPLE DATA: the figures and names of the source article that the sample loader reproduces."""

from __future__ import annotations

COMMUNITY_WORKERS = 1512  # "1500余名社区工作者" in 10 streets
PARTY_LESSON_AUDIENCE = 126  # "120余名党员社区工作者代表"
JUDGES = [f"sample-judge-{n}" for n in range(1, 6)]

ARTICLE_SECRETARIES = {"WG-RL": "尹雪松", "WG-BY": "李胜男"}  # named in the article

SALON_TOPICS = [
    "老旧小区改造",
    "特殊群体关爱",
    "基层矛盾调解",
    "经费管理红线",
    "物业服务监管",
    "网格化治理",
    "志愿服务组织",
    "居民议事协商",
]  # 8 期“书记沙龙”
LECTURE_TOPICS = [
    "党建引领基层治理",
    "“荣乐方案”：需求导向，服务精准到家",
    "社区应急管理",
    "城市更新与社区规划",
    "社区社会组织培育",
    "数字化社区治理",
    "群众工作方法",
]  # 7 期“书记大讲堂”
WORKSHOP_TOPICS = [
    "“四连心”治理方法论",
    "老旧小区加装电梯",
    "独居老人关爱",
    "邻里纠纷调解",
    "楼道堆物清理",
    "停车难治理",
    "垃圾分类推进",
    "社区经费使用",
    "物业矛盾化解",
    "残疾人精准服务",
    "平安守望员队伍建设",
    "敲门行动走访",
    "暖心行动诉求办理",
    "居民议事会组织",
    "城郊村落治理",
    "社区活动阵地管理",
]  # 16 堂基层治理案例工坊课

# The article names the "1+4+8+N" system without spelling it out: these tracks are an illustration, kept as data.
TRACKS = {
    "1-core": {
        "name": "“1”：一堂核心党课",
        "description": "样例：至少参加一次精品党课。",
        "requirements": [{"kind": "party_lesson", "min_sessions": 1}],
    },
    "4-forums": {
        "name": "“4”：四类课堂",
        "description": "样例：书记沙龙、书记大讲堂、案例工坊、外出学习或现场教学各至少一次。",
        "requirements": [
            {"kind": "salon", "min_sessions": 1},
            {"kind": "lecture_hall", "min_sessions": 1},
            {"kind": "case_workshop", "min_sessions": 1},
            {"kind": "study_trip", "min_sessions": 1},
        ],
    },
    "8-workshops": {
        "name": "“8”：八堂案例工坊",
        "description": "样例：至少八堂案例工坊课。",
        "requirements": [{"kind": "case_workshop", "min_sessions": 8}],
    },
    "n-hours": {
        "name": "“N”：持续学习",
        "description": "样例：各类培训累计不少于 30 学时。",
        "requirements": [{"kind": None, "min_hours": 30}],
    },
}

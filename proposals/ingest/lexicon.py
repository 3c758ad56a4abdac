"""The words the ingestion rules know: bodies, titles, organisation suffixes, speech verbs, roles to skip.

Data only (plus the jieba tokenizer they are loaded into), no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any


def _words(text: str) -> list[str]:
    return text.split()


# Province-level units: the short form an article writes and the full name of the Region.
PROVINCES: dict[str, str] = {
    short: full
    for full in _words(
        "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 "
        "山东省 河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 "
        "内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
    )
    for short in [full, full.removesuffix("省").removesuffix("市")[:3] if len(full) <= 4 else full[:2]]
} | {"内蒙古": "内蒙古自治区"}
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# Words that introduce or follow a delegate's statement.
SPEECH_VERBS = (
    "建议",
    "提案",
    "呼吁",
    "提出",
    "认为",
    "表示",
    "强调",
    "指出",
    "说",
    "坦言",
    "介绍",
    "谈到",
    "看来",
    "发言",
    "告诉",
)
# Titles and ranks an article puts before a name (longest first when matched).
TITLES = sorted(
    _words(
        """董事长 董事局主席 副董事长 总经理 副总经理 总裁 副总裁 党委书记 党委副书记 党组书记 党支部书记 书记 副书记
    主任 副主任 局长 副局长 厅长 副厅长 市长 副市长 区长 副区长 县长 主席 副主席 院长 副院长 校长 副校长
    所长 副所长 研究员 首席技师 技师 创始人 CEO 总工程师 首席科学家 秘书长 副秘书长 部长 副部长 理事长
    会长 副会长 总监 经理 处长 科长 工程师 教授 主任医师 村支书 村主任 厂长 董事 监事会主席"""
    ),
    key=len,
    reverse=True,
)
# Role words that may stand right before a name in an introduction, besides TITLES.
ROLE_WORDS = _words(
    """专家 首席专家 主委 副主委 行长 副行长 社长 站长 馆长 园长 律师 主任律师 教师 老师 讲师 副教授 农机手 负责人
    运营负责人 召集人 带头人 农艺师 设计师 会计师 医师 支书 党总支书记 总支书记 组长 队长 理事 委员 常委"""
)
# Suffixes that end an organisation's name.
ORG_SUFFIXES = _words(
    """集团公司 有限公司 股份有限公司 分公司 公司 集团 研究院 研究所 研究中心 大学 学院 医院 银行 委员会 局 厅 委
    政府 政协 人大 工商联 联合会 协会 学会 商会 党工委 区委 市委 省委 中央 园区 实验室 中心 厂"""
)
# Roles that make a named person someone other than a delegate, with the reason given to the curator.
SKIP_ROLES: tuple[tuple[str, str], ...] = (
    ("摄影", "摄影"),
    ("记者", "记者"),
    ("通讯员", "通讯员"),
    ("编辑", "编辑"),
    ("策划", "采编人员"),
    ("统筹", "采编人员"),
    ("采写", "记者"),
    ("制作", "采编人员"),
    ("院士", "专家"),
    ("教授", "专家"),
    ("专家", "专家"),
    ("学者", "专家"),
    ("研究员", "专家"),
    ("总书记", "官员"),
    ("总理", "官员"),
    ("秘书长", "官员"),
    ("局长", "官员"),
    ("科长", "官员"),
    ("负责人", "官员"),
    ("市长", "官员"),
    ("厅长", "官员"),
    ("主任", "官员"),
    ("助理", "企业员工"),
    ("经理", "企业员工"),
    ("工程师", "企业员工"),
    ("员工", "企业员工"),
    ("销售员", "企业员工"),
    ("董事长", "企业负责人"),
    ("总裁", "企业负责人"),
)
# Common surnames (single and double), to tell a name from a word.
SURNAMES = set(
    _words(
        """王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董
    袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟
    熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文
    牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符
    舒 阮 柯 纪 梅 童 凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房
    滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席
    卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖
    巩 明 佘 池 查 麻 苑 迟 邝 官 封 谈 匡 鞠 惠 荆 乐 冀 郁 胥 南 班 储 原 栗 燕 楚 鄢 劳 谌 奚 皮 粟 冼 蔺
    楼 盘 满 闻 位 厉 伊 仝 区 郜 海 阚 花 权 强 帅 屠 豆 朴 盖 练 廉 禹 井 祖 漆 巴 丰 支 卿 国 狄 平 计 索
    宣 晋 相 初 门 云 容 敬 来 扈 晁 芮 都 普 阙 浦 戈 伏 鹿 薄 邸 雍 辜 羊 阿 乌 母 裘 亓 修 邰 赫 杭 况
    那 宿 鲜 印 逯 隆 茹 诸 战 慕 危 玉 银 亢 嵇 公 哈 湛 宾 戎 勾 茅 利 於 呼 居 揭 干 但 尉 冶 斯 元 束 檀
    衣 信 展 阴 昝 智 幸 奉 植 衡 富 尧 闭 由 欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 刀 阎"""
    )
)
# Characters that cannot be the last character of a personal name in these reports (verbs, particles).
NOT_NAME_END = set("在说等与的了是也还就都为从对将把被向于代委")
# Words that look like a surname and a name but are not people.
NOT_NAMES = ("全国", "人大", "政协", "代表", "委员", "中央", "国家", "政府", "企业", "公司")


def person_words(names: Iterable[str]) -> list[str]:
    return [name for name in names if 2 <= len(name) <= 4]


def _new_tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    for title in TITLES:
        tokenizer.add_word(title, freq=20000, tag="n")
    for word in ("全国人大代表", "全国政协委员", "人大代表", "政协委员", "代表团", "界别"):
        tokenizer.add_word(word, freq=50000, tag="n")
    return tokenizer


@lru_cache(maxsize=1)
def _base_tokenizer() -> Any:
    """The user dictionary without people's names: what the layout and name-boundary rules consult, so
    that their answers never depend on which delegates happen to be in the database."""
    return _new_tokenizer()


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    return _new_tokenizer()


_ADDED: set[str] = set()


def tokenizer(extra_names: Iterable[str] = ()) -> Any:
    """The jieba tokenizer with the user dictionary: bodies, titles, and known delegates' names and
    aliases (added once, for the life of the process: they are people's names wherever they occur)."""
    tk = _tokenizer()
    for name in person_words(extra_names):
        if name not in _ADDED:
            tk.add_word(name, freq=50000, tag="nr")
            _ADDED.add(name)
    return tk


def is_word(word: str) -> bool:
    """Whether jieba's dictionary knows the word (for repairing words split by the layout)."""
    tk = _base_tokenizer()
    tk.check_initialized()
    return bool(tk.FREQ.get(word))


@lru_cache(maxsize=1)
def _pos_tokenizer() -> Any:
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_tokenizer())


def pos_tokenizer(extra_names: Iterable[str] = ()) -> Any:
    """jieba's part-of-speech tagger over the user dictionary (known names tagged ``nr``)."""
    tokenizer(extra_names)
    return _pos_tokenizer()


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen the word (0 when unknown)."""
    tk = _base_tokenizer()
    tk.check_initialized()
    return int(tk.FREQ.get(word) or 0)

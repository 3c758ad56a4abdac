"""The ingestion text rules on small strings: no database, no Django."""

from proposals.ingest.extract import KnownPerson, extract_article
from proposals.ingest.people import looks_like_name, positions_of, section_of
from proposals.ingest.statements import kind_of, suggest_themes
from proposals.ingest.text import blocks_of, passages_for


def _delegate(extraction, name):
    return next(d for d in extraction.delegates if d.name == name)


def _assert_verbatim(extraction):
    for delegate in extraction.delegates:
        for proposal in delegate.proposals:
            for passage in proposal.passages:
                assert extraction.text[passage.start : passage.end] == passage.text


def test_npc_introduction_with_organisation_and_title():
    text = "全国人大代表、华工科技董事长马新强表示，要持续打造新质生产力。"
    extraction = extract_article(text)
    delegate = _delegate(extraction, "马新强")
    assert [(m.body, m.role) for m in delegate.memberships] == [("npc", "member")]
    assert [(p.organisation, p.title) for p in delegate.positions] == [("华工科技", "董事长")]
    assert delegate.proposals[0].passages[0].text == text
    _assert_verbatim(extraction)


def test_cppcc_introduction_with_comma_and_title_chain():
    text = "全国政协委员，中国石化集团公司党组书记、董事长马永生建议，加大对重点领域的支持力度。"
    delegate = _delegate(extract_article(text), "马永生")
    assert delegate.memberships[0].body == "cppcc"
    assert [(p.organisation, p.title) for p in delegate.positions] == [
        ("中国石化集团公司", "党组书记、董事长")
    ]
    assert delegate.proposals[0].kind == "suggestion"


def test_provincial_member_and_municipal_member():
    text = (
        "省政协委员、烽火通信科技股份有限公司党委书记、董事长曾军说，要发展光网络。\n\n"
        "武汉市政协委员、民建湖北省委经济委员会副主任刘艺璇代表调研组发言建议，编制实施指南。"
    )
    extraction = extract_article(text)
    assert _delegate(extraction, "曾军").memberships[0].body == "provincial-cppcc"
    liu = _delegate(extraction, "刘艺璇").memberships[0]
    assert (liu.body, liu.region) == ("municipal-cppcc", "武汉市")


def test_local_cppcc_section_gives_body_and_region_to_name_headings():
    text = "上海松江区政协——\n\n本报记者 顾意亮\n\n张宏泉委员建议，壮大空间信息产业。\n"
    extraction = extract_article(text)
    membership = _delegate(extraction, "张宏泉").memberships[0]
    assert (membership.body, membership.region) == ("district-cppcc", "上海市松江区")
    assert ("顾意亮", "记者") in [(p.name, p.reason) for p in extraction.skipped_people]


def test_chair_of_a_provincial_cppcc():
    text = "“推动更多科技成果转化。”近日，湖南省政协主席毛万春率队调研时表示。"
    membership = _delegate(extract_article(text), "毛万春").memberships[0]
    assert (membership.body, membership.region, membership.role) == ("provincial-cppcc", "湖南省", "chair")


def test_heading_name_with_address_and_national_article():
    text = "徐冠巨代表：\n激发企业创新活力\n\n全国人大代表、传化集团董事长徐冠巨认为，要加快产业升级。\n"
    extraction = extract_article(text)
    delegate = _delegate(extraction, "徐冠巨")
    assert {m.body for m in delegate.memberships} == {"npc"}
    assert delegate.proposals[0].title == "激发企业创新活力"


def test_sentence_broken_across_blank_lines_gives_several_passages():
    text = "有力推进乡村振兴。全国人\n\n大代表、好医生集团董事长耿福能认为，科技创新是支撑。\n"
    extraction = extract_article(text)
    delegate = _delegate(extraction, "耿福能")
    assert delegate.memberships[0].body == "npc"
    passages = delegate.proposals[0].passages
    assert [p.text for p in passages] == [
        "有力推进乡村振兴。全国人",
        "大代表、好医生集团董事长耿福能认为，科技创新是支撑。",
    ]
    _assert_verbatim(extraction)


def test_title_split_across_distant_paragraphs_is_rejoined():
    text = (
        "这与省政协委员，中国联通湖北分公司党委书记、总经\n\n江西省政协——\n\n"
        "郭静委员建议，实现技术应\n\n理华豫民的发言不谋而合。\n\n华豫民建议在算力细分领域打造优势。\n"
    )
    extraction = extract_article(text)
    hua = _delegate(extraction, "华豫民")
    assert hua.memberships[0].body == "provincial-cppcc"
    assert ("中国联通湖北分公司", "党委书记、总经理") in [(p.organisation, p.title) for p in hua.positions]
    guo = _delegate(extraction, "郭静")
    assert guo.proposals[0].passages[0].text == "郭静委员建议，实现技术应"


def test_spaces_inside_words_are_ignored_and_kept_in_passages():
    blocks = blocks_of("■中国城市报记者 邢 灿\n")
    assert blocks[0].text == "■中国城市报记者邢灿"
    text = "带头“走出去”，让“四川造 ”走向世界。"
    assert [p.text for p in passages_for(range(len(text)), text)] == [text]


def test_repeated_paragraph_is_quoted_once():
    paragraph = "耿福能建议，培育新技术、新模式，以数字化催生乡村未来新产业。"
    text = f"全国人大代表、好医生集团董事长耿福能认为，要振兴乡村。\n\n{paragraph}\n\n{paragraph}\n"
    delegate = _delegate(extract_article(text), "耿福能")
    starts = [p.start for pr in delegate.proposals for p in pr.passages]
    assert text.index(paragraph) in starts
    assert text.rindex(paragraph) not in starts


def test_experts_officials_and_reporters_are_skipped_with_reasons():
    text = (
        "本报记者 凌云\n\n“原始创新是难而正确的。”在江凤益院士看来，要坚持。\n\n"
        "省政府副秘书长赵俊听取发言并表示，要推动转型。\n"
    )
    extraction = extract_article(text)
    reasons = {p.name: p.reason for p in extraction.skipped_people}
    assert reasons == {"凌云": "记者", "江凤益": "专家", "赵俊": "官员"}
    assert extraction.delegates == []
    assert extraction.warnings


def test_continuation_paragraphs_join_the_statement_until_another_person():
    text = (
        "全国政协委员、市科学技术局党委书记、局长明炬表示，要抓好五方面任务。\n\n"
        "一是完善科技创新布局。\n\n二是强化企业主体地位。\n\n"
        "全国人大代表、市经信委主任蓝庆华说，要建设制造业中心。\n"
    )
    extraction = extract_article(text)
    assert len(_delegate(extraction, "明炬").proposals[0].passages) == 3
    assert len(_delegate(extraction, "蓝庆华").proposals[0].passages) == 1


def test_known_alias_is_matched_to_the_known_name():
    text = "全国人大代表、某集团董事长王小二表示，要发展新质生产力。\n\n王二哥说，还要加大投入。\n"
    extraction = extract_article(text, known=[KnownPerson("王小二", aliases=("王二哥",))])
    assert [d.name for d in extraction.delegates] == ["王小二"]


def test_names_and_sections_and_positions():
    assert looks_like_name("马新强")
    assert not looks_like_name("全国人大")
    assert section_of("湖北省政协——").body == "provincial-cppcc"
    assert section_of("重庆市政协——").region == "重庆市"
    assert section_of("【湖北】").region == "湖北省"
    assert positions_of("九三学社中央科技专委会副主任、天津大学副校长") == [
        ("九三学社中央", "科技专委会副主任"),
        ("天津大学", "副校长"),
    ]


def test_kinds_and_themes():
    assert kind_of("毛万春等湖南省全国政协委员提交提案") == "proposal"
    assert kind_of("华鹏委员建议") == "suggestion"
    assert kind_of("蓝庆华表示") == "view"
    themes = {"computing-power": ["算力", "智算"], "talent": ["人才"]}
    assert suggest_themes("建设算力网络，发展智算中心与算力调度。", themes) == ["computing-power"]


def test_sectors_from_the_sentence_or_the_group_discussed():
    text = (
        "重庆市政协——\n\n市经济信息委有关负责人和经济界别政协委员围绕新赛道开展互动交流。\n\n"
        "华鹏委员建议，加强顶层设计规划。\n\n"
        "作为民盟界别的委员，省政协委员、民盟省委专职副主委易澜今年代表民盟省委作大会发言。\n"
    )
    extraction = extract_article(text)
    assert _delegate(extraction, "华鹏").memberships[0].sector == "经济界"
    assert _delegate(extraction, "易澜").memberships[0].sector == "民盟"


def test_a_name_followed_by_any_word_after_a_title():
    text = "全国人大代表、青石农业科技股份有限公司农机手褚大山从事农机作业二十多年。他建议，加快农机更新。\n"
    extraction = extract_article(text)
    assert [d.name for d in extraction.delegates] == ["褚大山"]
    assert _delegate(extraction, "褚大山").proposals


def test_an_unfinished_short_line_takes_the_orphan_that_cannot_start_a_sentence():
    text = (
        "传化集团的实践也为这一观点提供\n\n雷军代表：\n\n全国人大代表、小米集团董事长雷军建议，发展智能制造。\n\n"
        "了佐证。“我们突破了卡脖子技术。”徐冠巨说。\n"
    )
    blocks = blocks_of(text)
    joined = next(b for b in blocks if b.text.startswith("传化"))
    assert not joined.heading
    assert joined.text == "传化集团的实践也为这一观点提供了佐证。“我们突破了卡脖子技术。”徐冠巨说。"
    assert [p.text for p in joined.passages(0, len(joined.text), text)] == [
        "传化集团的实践也为这一观点提供",
        "了佐证。“我们突破了卡脖子技术。”徐冠巨说。",
    ]


def test_only_a_delegates_heading_titles_the_proposal():
    text = "测试材料（虚构）：两会代表委员谈创新\n\n全国人大代表、星河智造有限公司董事长王晓明表示，要加快建设智能工厂。\n"
    assert _delegate(extract_article(text), "王晓明").proposals[0].title == "加快建设智能工厂"


def test_interview_answers_under_the_delegates_name():
    text = (
        "全国政协委员、芯桥半导体公司董事长卓映川接受了本报专访。\n\n记者：今年您带来了哪些提案？\n\n"
        "卓映川：我今年重点带来了一份关于加快集成电路人才培养的提案。\n\n记者：您怎么看内卷？\n\n"
        "卓映川：企业要少打价格战、多打技术战，把钱投到研发上。\n"
    )
    passages = [p.text for pr in _delegate(extract_article(text), "卓映川").proposals for p in pr.passages]
    assert "卓映川：企业要少打价格战、多打技术战，把钱投到研发上。" in passages
    assert not any(p.startswith("记者：") for p in passages)

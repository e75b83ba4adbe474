"""Chinese names (surname + one or two given-name characters) with their pinyin, for names and WeCom user ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.sample import text
from sandbox.sample.randomness import weighted_choice

# Most common surnames first; the weight of rank r is 1 / (r + 4), a rough Zipf curve.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"),
    ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"),
    ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"),
    ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"),
    ("袁", "yuan"), ("潘", "pan"), ("于", "yu"), ("蒋", "jiang"), ("蔡", "cai"), ("余", "yu"), ("杜", "du"),
    ("叶", "ye"), ("程", "cheng"), ("苏", "su"), ("魏", "wei"), ("吕", "lv"), ("丁", "ding"), ("任", "ren"),
    ("沈", "shen"), ("姚", "yao"), ("卢", "lu"), ("姜", "jiang"), ("崔", "cui"), ("钟", "zhong"), ("谭", "tan"),
    ("陆", "lu"), ("汪", "wang"), ("范", "fan"), ("金", "jin"), ("石", "shi"), ("廖", "liao"), ("贾", "jia"),
    ("夏", "xia"), ("韦", "wei"), ("方", "fang"), ("白", "bai"), ("邹", "zou"), ("孟", "meng"), ("熊", "xiong"),
    ("秦", "qin"), ("邱", "qiu"), ("江", "jiang"), ("尹", "yin"), ("薛", "xue"), ("段", "duan"), ("雷", "lei"),
    ("侯", "hou"), ("龙", "long"), ("史", "shi"), ("陶", "tao"), ("黎", "li"), ("贺", "he"), ("顾", "gu"),
    ("毛", "mao"), ("郝", "hao"), ("龚", "gong"), ("邵", "shao"), ("万", "wan"), ("钱", "qian"), ("严", "yan"),
)  # fmt: skip

GIVEN_CHARACTERS: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"),
    ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("英", "ying"), ("华", "hua"), ("慧", "hui"), ("建", "jian"), ("文", "wen"), ("玉", "yu"), ("辉", "hui"),
    ("鹏", "peng"), ("晨", "chen"), ("宇", "yu"), ("欣", "xin"), ("佳", "jia"), ("怡", "yi"), ("浩", "hao"),
    ("博", "bo"), ("然", "ran"), ("子", "zi"), ("涵", "han"), ("梓", "zi"), ("轩", "xuan"), ("雨", "yu"),
    ("思", "si"), ("嘉", "jia"), ("琪", "qi"), ("婷", "ting"), ("雪", "xue"), ("琳", "lin"), ("晓", "xiao"),
    ("志", "zhi"), ("海", "hai"), ("亮", "liang"), ("斌", "bin"), ("凯", "kai"), ("俊", "jun"), ("峰", "feng"),
    ("毅", "yi"), ("瑶", "yao"), ("颖", "ying"), ("蕾", "lei"), ("倩", "qian"), ("悦", "yue"), ("航", "hang"),
    ("昊", "hao"), ("天", "tian"), ("睿", "rui"), ("哲", "zhe"), ("宁", "ning"), ("东", "dong"), ("春", "chun"),
    ("红", "hong"), ("云", "yun"), ("飞", "fei"), ("鑫", "xin"), ("诗", "shi"), ("梦", "meng"), ("晶", "jing"),
    ("阳", "yang"), ("帆", "fan"), ("立", "li"), ("新", "xin"), ("安", "an"), ("可", "ke"), ("乐", "le"),
)  # fmt: skip

TWO_CHARACTER_GIVEN_NAME_SHARE = 0.7


def chinese_names(rng: np.random.Generator, size: int) -> tuple[text.TextArray, text.TextArray]:
    """``size`` names and their pinyin (lowercase, no spaces), e.g. ``("张伟", "zhangwei")``."""
    surname_weights = 1.0 / (np.arange(len(SURNAMES)) + 4.0)
    surname = weighted_choice(rng, surname_weights, size)
    first = rng.integers(0, len(GIVEN_CHARACTERS), size=size)
    second = np.where(
        rng.random(size) < TWO_CHARACTER_GIVEN_NAME_SHARE, rng.integers(0, len(GIVEN_CHARACTERS), size=size), -1
    )
    hanzi = text.labels([h for h, _ in SURNAMES]), text.labels([h for h, _ in GIVEN_CHARACTERS] + [""])
    pinyin = text.labels([p for _, p in SURNAMES]), text.labels([p for _, p in GIVEN_CHARACTERS] + [""])
    second_code = np.where(second < 0, len(GIVEN_CHARACTERS), second)  # the trailing "" for one-character names
    name = text.concat(text.pick(hanzi[0], surname), text.pick(hanzi[1], first), text.pick(hanzi[1], second_code))
    spelled = text.concat(text.pick(pinyin[0], surname), text.pick(pinyin[1], first), text.pick(pinyin[1], second_code))
    return name, spelled


def unique_user_ids(pinyin: text.TextArray) -> text.TextArray:
    """WeCom-style user ids: the pinyin, with ``2``, ``3``, ... appended to later holders of a taken name."""
    occurrence = pd.Series(pinyin).groupby(pd.Series(pinyin), sort=False).cumcount().to_numpy()
    suffix = np.where(occurrence > 0, (occurrence + 1).astype(np.str_), "")
    return text.concat(pinyin, text.labels(suffix))

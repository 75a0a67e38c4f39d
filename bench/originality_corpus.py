"""A labelled set of reflections for the originality check (deterministic: seeded).

Used by ``bench/originality.py`` (precision and recall) and by
``tests/attendance/test_originality.py`` (a small version, no timing).

How the texts are written
-------------------------
*Independent* reflections come from a template grammar: a reflection is an
opening, two or three points from the talk with what the writer made of them,
a look at the writer's own teaching, a plan and a closing line; each part is a
pair of clauses drawn from pools of alternatives and filled with the session's
topic vocabulary, its presenter and the writer's own class. Within a session a
pool is dealt like a deck (no clause repeats before the pool is used up), so
teachers of the same session share the theme and vocabulary but not their
sentences: what independent writers in one session really have in common.
Hand-written reflections (``bench/data/originality/handwritten.txt``, four
teachers on each of three sessions) are independent too.

*Copies* are made from a stored reflection of the same session by three
methods that share no code or word list with the detector:

- ``paraphrase``: 25-30 % of the words replaced from the paraphraser's own
  synonym list (:data:`PARAPHRASES`, not the detector's table), the
  presenter's name and the class changed, the order kept;
- ``partial``: the middle half of the source verbatim between the copier's
  own opening and ending;
- ``reordered``: the paragraphs in another order (and the sentences of the
  longest one), names and class changed.

Split: the *calibration* part (seed 1, the six topics of
:data:`CALIBRATION_TOPICS`) is the only one the detector's threshold and
parameters were tuned on; the *held-out* part (seed 2, the eight other topics
of :data:`HELD_OUT_TOPICS`, plus every hand-written reflection and the copies
made from them) is used only for the reported figures.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "originality"

PUNCT = set("，。；：！？、")
NOT_WORDS = PUNCT | set('"《》-（）')


@dataclass
class Topic:
    title: str  # the talk ({L})
    terms: list[str]  # topic vocabulary ({T}, {T2})
    actions: list[str]  # what a teacher plans to do ({A})
    subject: str  # {S}


CALIBRATION_TOPICS = [
    Topic("观课 议课", ["课堂 观察 量表", "学习 证据", "学生 的 困惑 点", "观察 点", "课后 研讨", "学生 的 思维 过程"],
          ["用 观察 量表 记录 小组 讨论", "坐 到 学生 中间 听课", "围绕 证据 展开 评课"], "语文"),
    Topic("双减 背景 下 的 作业 设计", ["分层 作业", "作业 时长", "实践 类 作业", "作业 反馈", "基础 题", "作业 的 针对性"],
          ["给 学生 布置 分层 作业", "控制 每天 的 作业 时长", "设计 一份 实践 作业"], "数学"),
    Topic("大 单元 教学 设计", ["单元 大 概念", "学习 任务 群", "单元 整体 目标", "情境 任务", "课时 安排", "逆向 设计"],
          ["把 一个 单元 重新 整合", "先 确定 单元 的 核心 任务", "按照 逆向 设计 写 教案"], "语文"),
    Topic("有效 提问", ["开放 性 问题", "追问", "等待 时间", "提问 的 层次", "学生 的 回答", "核心 问题"],
          ["每 节 课 只 设计 一个 核心 问题", "给 学生 足够 的 等待 时间", "把 追问 写 进 教案"], "英语"),
    Topic("小组 合作 学习", ["小组 分工", "合作 规则", "组长 培训", "交流 展示", "评价 量规", "异质 分组"],
          ["重新 进行 异质 分组", "先 培训 各 组 组长", "给 每个 组员 明确 分工"], "科学"),
    Topic("教学 设计 中 的 学情 分析", ["前测", "学生 的 已有 经验", "学习 起点", "错误 资源", "学情 数据", "易错 点"],
          ["每 节 新课 前 做 一 次 前测", "把 学生 的 错误 整理 成 资源", "按 学习 起点 调整 教学 环节"], "数学"),
]

HELD_OUT_TOPICS = [
    Topic("家校 沟通 的 艺术", ["家长 会", "家访", "沟通 方式", "家校 共育", "班级 群", "家长 的 焦虑"],
          ["每 月 给 家长 写 一 封 信", "分批 进行 家访", "改变 班级 群 的 沟通 方式"], "道德与法治"),
    Topic("信息 技术 与 学科 教学 融合", ["交互 式 课件", "微课", "平板 教学", "学习 数据", "在线 平台", "技术 的 边界"],
          ["录制 几 节 微课", "用 在线 平台 收集 学习 数据", "尝试 平板 教学"], "数学"),
    Topic("整本书 阅读 指导", ["阅读 计划", "读书 笔记", "阅读 分享 会", "导读 课", "阅读 习惯", "阅读 的 深度"],
          ["上 一 节 导读 课", "组织 一 次 阅读 分享 会", "和 学生 一起 制定 阅读 计划"], "语文"),
    Topic("劳动 教育 课程 建设", ["劳动 清单", "校园 农场", "家务 劳动", "劳动 评价", "劳动 素养", "劳动 的 价值"],
          ["给 学生 开 一份 劳动 清单", "带 学生 去 校园 农场", "设计 一 次 家务 劳动 展示"], "综合实践"),
    Topic("课堂 评价 与 反馈", ["评价 量表", "过程 性 评价", "即时 反馈", "自评 互评", "学习 目标", "评价 的 导向"],
          ["和 学生 一起 制定 评价 量表", "在 课堂 上 增加 自评 互评", "每 节 课 前 明确 学习 目标"], "英语"),
    Topic("实验 教学 的 安全 与 创新", ["分组 实验", "实验 安全", "改进 实验", "实验 报告", "探究 过程", "生活 化 器材"],
          ["用 生活 化 器材 改进 一个 实验", "把 演示 实验 改 成 分组 实验", "给 每 个 组 配 一 张 安全 卡"], "科学"),
    Topic("体育 大 课间 与 体质 健康", ["大 课间", "体质 监测", "运动 负荷", "趣味 游戏", "体育 社团", "运动 技能"],
          ["重新 编排 大 课间 的 内容", "每 周 记录 一 次 运动 负荷", "成立 一个 跳绳 社团"], "体育"),
    Topic("书写 与 写字 教学", ["握笔 姿势", "书写 习惯", "范字 讲解", "写字 评价", "硬笔 书法", "书写 的 节奏"],
          ["每天 安排 十 分钟 练字", "先 纠正 学生 的 握笔 姿势", "办 一 次 硬笔 书法 展览"], "语文"),
]

OPEN_A = [
    "本周 三 下午", "这 学期 第 二 次 校本 研修 时", "在 {S} 组 的 教研 活动 中", "上 周 的 全员 培训 上",
    "今天 放学 后", "在 学校 组织 的 专题 研修 中", "星期 四 的 集体 教研 时间", "这 次 县 里 送 教 下 乡 活动 中",
    "开学 第 三 周", "寒假 前 最后 一 次 研修 中", "周 五 下午 的 教师 会 上", "在 学区 的 联合 教研 中",
]
OPEN_B = [
    "我们 听 了 {P} 关于 {L} 的 讲座", "{P} 给 全体 老师 做 了 {L} 的 专题 分享", "我 有幸 聆听 了 {P} 主讲 的 {L}",
    "{P} 结合 自己 的 课例 讲 了 {L}", "学校 请来 {P} 为 我们 解读 {L}", "我们 围绕 {L} 进行 了 一 次 深入 的 学习",
    "{P} 带 着 我们 重新 认识 了 {L}", "大家 跟着 {P} 一起 研讨 了 {L}", "我 第一 次 系统 地 学习 了 {L}",
    "{P} 用 两 个 小时 讲 透 了 {L}",
]
OPEN_C = [
    "整个 过程 既 有 理论 又 有 案例", "讲座 内容 很 接地气", "现场 气氛 十分 热烈", "老师 们 听 得 很 认真",
    "我 边 听 边 记 ， 记 满 了 三 页 笔记", "这 个 话题 正是 我 最近 困惑 的 地方",
    "原本 以为 会 很 枯燥 ， 没想到 收获 很多", "很多 内容 都 说到 了 我 的 心坎 上",
]
POINT_A = [
    "{P} 提到 {T} 的 关键 在于 {T2}", "讲座 中 最 打动 我 的 是 关于 {T} 的 论述", "{P} 反复 强调 要 重视 {T}",
    "印象 最 深 的 是 {P} 展示 的 {T} 案例", "{P} 认为 {T} 不是 形式 ， 而是 为了 {T2}",
    "讲座 里 举 的 一个 例子 讲 的 就是 {T}", "{P} 指出 很多 老师 忽视 了 {T}",
    "关于 {T} ， {P} 给出 了 三 条 具体 建议", "{P} 把 {T} 和 {T2} 联系 起来 讲", "我 原来 对 {T} 的 理解 比较 片面",
    "讲座 后半段 重点 谈 了 {T}", "{P} 分享 了 自己 学校 推进 {T} 的 做法",
    "{P} 播放 了 一段 课堂 实录 ， 镜头 一直 对着 {T}", "现场 有 老师 问 到 {T} 怎么 落地",
    "{P} 用 一 张 对比 表 说明 了 {T} 前后 的 差别", "听 到 {T} 这 部分 时 全场 都 安静 了",
    "{P} 坦言 他们 在 {T} 上 也 走 过 弯路", "最后 的 互动 环节 大家 围绕 {T} 争论 了 很久",
]
POINT_B = [
    "这 让 我 意识到 课堂 的 主角 应该 是 学生", "我 觉得 这 一点 特别 值得 我们 学习", "这 和 我 平时 的 做法 很 不 一样",
    "细细 想来 确实 很 有 道理", "这 一 观点 颠覆 了 我 以往 的 认识", "我 开始 重新 审视 自己 的 教学",
    "这 也 解答 了 我 长期 以来 的 疑问", "听 完 之后 我 豁然开朗", "其实 这 正是 新 课标 所 倡导 的",
    "可见 教学 细节 决定 了 课堂 的 质量", "这 对 我们 年轻 教师 帮助 很 大", "它 提醒 我 要 从 学生 的 角度 想 问题",
    "我 在 笔记 本 上 把 这 句 话 圈 了 起来", "我 想 这 也 是 我们 村 小 最 缺 的", "坐 在 我 旁边 的 同事 连连 点头",
    "道理 不 难 懂 ， 难 的 是 天天 坚持", "原来 问题 不 在 学生 身上", "回家 路上 我 还 一直 在 琢磨 这 件 事",
]
PRACTICE_A = [
    "回想 自己 在 {C} 的 课堂", "以前 我 上 {S} 课 时", "对照 自己 这 学期 的 教学", "拿 我 上 周 的 一 节 公开课 来说",
    "在 {C} 试 了 几 次 之后", "平时 批改 作业 时", "反观 我 自己 的 课", "刚 接手 {C} 的 时候",
    "和 同 组 老师 交流 时 我 发现", "去年 带 毕业 班 时", "翻 开 我 前 两 年 的 教案", "上 次 期中 质量 分析 会 上",
]
PRACTICE_B = [
    "常常 只 顾着 赶 进度", "很少 给 学生 留出 思考 的 时间", "往往 是 我 讲 得 多 ， 学生 说 得 少",
    "对 {T} 考虑 得 并 不 周全", "总 担心 学生 完成 不 了 任务", "习惯 于 按照 教案 一步步 往下 走",
    "学生 的 参与 度 一直 不 高", "几个 后进生 总是 跟 不上", "我 的 评价 语言 比较 单一", "课堂 上 的 互动 流于 形式",
    "对 学生 的 差异 关注 不够", "一 下课 就 忘 了 回头 看看 目标 达成 没有",
]
PLAN_A = [
    "下 学期 我 打算 在 {C} 尝试 {A}", "接下来 我 准备 先 从 {T} 入手", "我 计划 每 周 {A} 一 次",
    "今后 我 会 和 备课组 的 同事 一起 {A}", "我 想 在 下 一 单元 里 {A}", "回去 后 我 要 重新 修改 教案 ， 把 {T} 加 进去",
    "我 准备 在 {C} 建立 一个 {T} 的 记录 本", "下 个 月 的 公开课 上 我 要 {A}",
    "我 打算 邀请 师傅 来 听 我 的 课 ， 重点 看 {T}",
]
PLAN_B = [
    "争取 让 每个 学生 都 有 收获", "再 根据 学生 的 反馈 不断 调整", "看看 学生 会 有 什么 变化",
    "并 把 过程 记录 下来 做 成 案例", "期末 时 再 对比 一下 效果", "慢慢 形成 自己 的 教学 风格",
    "用 证据 来 检验 自己 的 改进", "让 课堂 真正 活 起来",
]
CLOSE = [
    "总之 ， 这 次 研修 让 我 受益匪浅", "教学 之 路 没有 终点 ， 我 会 继续 努力", "路 虽 远 ， 行 则 将 至",
    "我 相信 只要 坚持 ， 就 一定 会 有 进步", "感谢 {P} 的 精彩 分享", "以上 是 我 的 一点 粗浅 体会",
    "学 无 止境 ， 教 亦 无 止境", "希望 学校 多 组织 这样 的 研修 活动", "我 会 把 今天 学 到 的 东西 真正 用 到 课堂 上",
    "这 次 学习 只是 一个 开始",
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TITLES = ["老师", "校长", "主任", "教研员"]
GRADES = "一二三四五六七八九"
NAME_RE = re.compile(rf"^[{SURNAMES}](?:{'|'.join(TITLES)})$")
CLASS_RE = re.compile(rf"^[{GRADES}]年级[{GRADES}]班$|^初[一二三][{GRADES}]班$")

#: The paraphraser's own synonym list (word -> replacements). Written for the
#: copies only; the detector never sees it.
PARAPHRASES: dict[str, list[str]] = {
    "觉得": ["认为", "感到"], "认为": ["觉得", "以为"], "学生": ["孩子", "孩子们"], "开始": ["着手", "起初"],
    "我们": ["咱们", "大家"], "老师": ["教师"], "老师们": ["教师们"], "课堂": ["课上", "教室里"], "很": ["非常", "十分", "挺"],
    "十分": ["非常", "特别"], "特别": ["尤其", "格外"], "确实": ["的确", "实在"], "常常": ["经常", "时常", "总是"],
    "往往": ["通常", "常常"], "总": ["一直", "老是"], "一直": ["始终", "向来"], "以前": ["过去", "从前", "之前"],
    "以往": ["过去", "从前"], "今后": ["以后", "往后"], "接下来": ["随后", "下一步"], "打算": ["准备", "计划"],
    "准备": ["打算", "预备"], "计划": ["打算", "准备"], "想": ["希望", "打算"], "尝试": ["试着", "试一试"],
    "重视": ["看重", "关注"], "关注": ["关心", "留意"], "忽视": ["忽略", "轻视"], "发现": ["察觉", "注意到"],
    "意识到": ["认识到", "明白"], "提到": ["讲到", "谈到", "说到"],
    "指出": ["提出", "点明"], "分享": ["介绍", "交流"], "讲座": ["报告", "讲课"], "研修": ["培训", "学习"],
    "学习": ["研习", "学"], "关键": ["要害", "核心"], "具体": ["详细", "实在"], "建议": ["意见", "主张"],
    "做法": ["办法", "经验"], "理解": ["认识", "看法"], "片面": ["狭隘", "简单"], "重点": ["着重", "主要"],
    "联系": ["结合", "关联"], "案例": ["实例", "例子"], "例子": ["实例", "案例"], "打动": ["触动", "感动"],
    "印象": ["记忆"], "深": ["深刻"], "展示": ["呈现", "演示"], "形式": ["表面 功夫", "走过场"],
    "论述": ["阐述", "分析"], "颠覆": ["改变", "刷新"], "认识": ["看法", "理解"], "审视": ["反思", "检视"],
    "教学": ["授课", "教书"], "解答": ["解决", "回答"], "疑问": ["困惑", "疑惑"], "长期": ["长久", "一直"],
    "豁然开朗": ["茅塞顿开", "恍然大悟"], "倡导": ["提倡", "主张"], "可见": ["由此可见", "看来"],
    "决定": ["影响", "左右"], "质量": ["品质", "成效"], "帮助": ["启发", "助益"], "角度": ["立场", "视角"],
    "回想": ["回顾", "想想"], "对照": ["比照", "对比"], "反观": ["再看", "回看"], "接手": ["接任", "接管"],
    "交流": ["沟通", "聊天"], "赶": ["追"], "进度": ["进程", "课时"], "很少": ["极少", "鲜少"], "留出": ["留下", "给出"],
    "思考": ["思索", "琢磨"], "时间": ["工夫", "时机"], "担心": ["担忧", "害怕"], "完成": ["做完", "完成好"],
    "任务": ["作业", "工作"], "习惯": ["惯于", "习以为常"], "按照": ["依照", "按着"], "参与": ["投入"],
    "后进生": ["学困生", "学习 困难 的 孩子"], "跟不上": ["掉队", "落后"], "评价": ["点评", "评判"], "语言": ["用语", "话语"],
    "单一": ["单调", "贫乏"], "互动": ["交流", "互相 交流"], "差异": ["不同", "区别"], "不够": ["不足", "欠缺"],
    "修改": ["改进", "调整"], "建立": ["设立", "建起"], "邀请": ["请", "约请"], "师傅": ["带教 老师", "指导 老师"],
    "争取": ["力争", "努力"], "收获": ["进步", "提高"], "调整": ["改进", "修正"], "变化": ["改变", "转变"],
    "记录": ["记", "整理"], "对比": ["比较", "比一比"], "效果": ["成效", "结果"], "慢慢": ["逐步", "渐渐"],
    "形成": ["建立", "找到"], "风格": ["特色", "路子"], "检验": ["验证", "检查"], "改进": ["改善", "进步"],
    "总之": ["总而言之", "总的来说"], "受益匪浅": ["收获 颇丰", "获益良多"],
    "继续": ["持续", "一直"], "努力": ["奋斗", "用功"], "相信": ["坚信", "深信"], "坚持": ["持之以恒", "不放弃"],
    "一定": ["必定", "肯定"], "进步": ["提高", "成长"], "感谢": ["谢谢", "感激"], "精彩": ["生动", "出色"],
    "体会": ["感想", "感受"], "粗浅": ["浅显", "肤浅"], "希望": ["盼望", "期待"], "组织": ["举办", "开展"],
    "东西": ["内容", "知识"], "只是": ["仅仅 是", "不过 是"], "内容": ["东西", "材料"], "接地气": ["实在", "贴近 实际"],
    "气氛": ["氛围"], "热烈": ["活跃", "火热"], "认真": ["专注", "仔细"], "困惑": ["疑惑", "苦恼"], "最近": ["近来", "这 段 时间"],
    "枯燥": ["乏味", "无聊"], "没想到": ["不料", "想不到"], "很多": ["许多", "不少"], "原本": ["本来", "原先"],
    "有幸": ["荣幸 地"], "聆听": ["听取", "倾听"], "主讲": ["讲授", "主持"], "结合": ["联系", "根据"], "请来": ["邀请", "请到"],
    "解读": ["讲解", "解析"], "深入": ["深度", "细致"], "重新": ["再次", "又一次"], "系统": ["全面", "完整"],
    "研讨": ["探讨", "讨论"], "讨论": ["探讨", "交流"], "全体": ["全部", "所有"], "专题": ["主题"], "下午": ["午后"],
    "这样": ["这种", "此类"], "平时": ["平常", "日常"], "一样": ["相同", "一致"], "值得": ["应当", "需要"],
    "细节": ["小事", "细微 之处"], "年轻": ["青年", "新"], "提醒": ["告诉", "启示"],
    "设计": ["安排", "设置"], "布置": ["安排", "留"], "控制": ["限制", "把控"], "每天": ["每日", "天天"],
    "整合": ["重组", "统整"], "确定": ["明确", "定下"], "足够": ["充足", "充分"], "明确": ["清楚", "确定"],
    "记录本": ["登记 本"], "之后": ["以后", "后来"], "时候": ["时", "阶段"], "并": ["而且", "同时"], "和": ["与", "跟", "同"],
    "让": ["使", "令"], "给": ["为", "替"], "但是": ["不过", "然而"], "因为": ["由于"], "所以": ["因此", "于是"],
    "如果": ["假如", "倘若"], "已经": ["早已", "已"], "还": ["仍", "还要"], "更": ["更加", "越发"], "都": ["全都", "均"],
    "也": ["亦", "同样"], "就": ["便"], "非常": ["十分", "特别"], "一些": ["部分", "若干"], "如何": ["怎样", "怎么"],
    "怎样": ["如何", "怎么"], "大家": ["各位", "老师们"], "自己": ["本人", "自个儿"], "问题": ["难题", "疑问"],
    "方法": ["办法", "方式"], "能力": ["本领", "素养"], "兴趣": ["兴致", "热情"], "积极": ["主动", "踊跃"],
    "明显": ["显著", "明确"], "提高": ["提升", "增强"], "提升": ["提高", "增强"], "培养": ["培育", "锻炼"],
    "鼓励": ["激励", "鞭策"], "孩子": ["学生", "小朋友"], "同事": ["同仁", "伙伴"], "家长": ["父母", "家里人"],
    "孩子们": ["学生们", "小家伙们"], "集中": ["统一", "集体"], "最": ["最为"], "大": ["明显"], "现在": ["如今", "眼下"],
    "办法": ["法子", "主意"], "生动": ["形象", "有趣"], "困难": ["难处", "麻烦"], "活动": ["环节", "任务"],
    "适合": ["适宜", "适于"], "感受": ["体会", "感触"], "不再": ["不 再 只"], "主要": ["重点", "大多"], "提出": ["提到", "倡导"],
    "恰恰": ["正好", "刚好"], "环节": ["步骤", "活动"], "热闹": ["活跃", "红火"], "不少": ["很多", "许多"],
    "还是": ["依然", "仍然"], "目标": ["目的", "任务"], "结果": ["结论", "数据"], "说实话": ["老实 说", "实话 实说"],
    "刚": ["刚刚", "才"], "有点": ["有些", "稍微"], "带": ["领"], "强调": ["突出", "重视"], "多半": ["大多", "基本上"],
    "机会": ["时机", "空间"], "虽然": ["尽管", "虽说"], "反而": ["倒是", "却"], "整理": ["梳理", "归纳"], "方式": ["形式", "办法"],
    "负责": ["承担", "分管"], "意思": ["含义", "用意"], "试着": ["尝试", "设法"], "居然": ["竟然", "竟"], "主动": ["积极", "自觉"],
    "明白": ["懂得", "理解"], "贴近": ["接近", "联系"], "话题": ["题目", "主题"], "简单": ["单纯", "粗浅"], "真实": ["实际", "现实"],
    "工具": ["手段", "抓手"], "关系": ["关联", "联系"], "想想": ["想一想", "琢磨"], "正是": ["恰是", "正好 是"], "合作": ["协作", "配合"],
    "本来": ["原本", "本身"], "几乎": ["差不多", "基本"], "资料": ["材料", "文献"], "最后": ["最终", "末了"], "素材": ["资源", "材料"],
    "顾虑": ["担心", "疑虑"], "先": ["首先", "先行"], "固定": ["定期", "专门"], "羡慕": ["向往", "佩服"], "观察": ["观测", "留心"],
    "商量": ["商定", "协商"], "误解": ["误会", "偏见"], "成果": ["作品", "结果"], "标准": ["尺度", "准则"], "现实": ["可行", "实际"],
    "比如": ["例如", "譬如"], "分析": ["研究", "剖析"], "收集": ["搜集", "积累"], "故事": ["事例", "经历"], "触动": ["震动", "打动"],
    "以为": ["认为", "当作"], "信号": ["迹象", "苗头"], "早": ["早早"], "留意": ["注意", "在意"], "突然": ["忽然", "一下子"],
    "类似": ["相似", "同样"], "批评": ["指责", "训斥"], "及时": ["马上", "立即"], "单独": ["个别", "私下"], "介绍": ["讲解", "分享"],
    "模拟": ["演示", "表演"], "清楚": ["明白", "真切"], "马上": ["立刻", "顿时"], "想起": ["记起", "回想"], "根本": ["完全", "压根"],
    "需要": ["应该", "必须"], "改变": ["转变", "改进"], "每次": ["每回", "每一次"], "更加": ["越发", "更"], "感到": ["觉得", "认识到"],
    "缓解": ["减轻", "舒缓"], "开展": ["组织", "举行"], "另外": ["此外", "同时"], "专业": ["在行", "专门"], "坦白": ["说实在"],
    "调查": ["统计", "普查"], "比例": ["占比", "比重"], "想象": ["预想", "估计"], "学会": ["懂得", "善于"], "沟通": ["交流", "联系"],
    "任教": ["执教", "所教"], "关心": ["关注", "在乎"], "说": ["讲", "提到"], "讲": ["说", "谈"], "看": ["瞧", "观察"], "做": ["搞", "进行"],
    "用": ["利用", "借助"], "写": ["撰写", "记"], "问": ["询问", "追问"], "听": ["聆听", "听取"], "找": ["寻找", "搜"],
    "一起": ["共同", "一道"], "一下": ["一番"], "自己的": ["本人 的"], "真正": ["确实", "切实"], "其实": ["实际上", "说到底"],
}


@dataclass
class Item:
    """One reflection of the set. ``source`` is the key of the reflection it was copied from (None: independent)."""

    key: str
    session: str
    text: str
    kind: str  # "independent", "paraphrase", "partial", "reordered"
    source: str | None = None
    part: str = "calibration"  # or "held_out"
    replaced_share: float = 0.0  # paraphrase: share of the words replaced


@dataclass
class Session:
    key: str
    part: str
    stored: list[Item] = field(default_factory=list)  # independents, in submission order
    copies: list[Item] = field(default_factory=list)


# A reflection is paragraphs of tokens (words and punctuation marks).
Doc = list[list[str]]


def render(doc: Doc) -> str:
    return "\n".join("".join(p) for p in doc)


def _words(doc: Doc) -> list[str]:
    return [t for p in doc for t in p if t not in NOT_WORDS]


class _Deck:
    """Clauses dealt without repetition until the pool is used up."""

    def __init__(self, rng: random.Random, pool: list[str]):
        self.rng, self.pool, self.cards = rng, pool, []

    def draw(self) -> str:
        if not self.cards:
            self.cards = self.pool[:]
            self.rng.shuffle(self.cards)
        return self.cards.pop()


def _class_name(rng: random.Random) -> str:
    return f"{rng.choice(GRADES[:6])}年级{rng.choice(GRADES)}班"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(TITLES)


class Grammar:
    def __init__(self, rng: random.Random, topic: Topic, presenter: str):
        self.rng, self.topic, self.presenter = rng, topic, presenter
        self.decks = {name: _Deck(rng, pool) for name, pool in {
            "open_a": OPEN_A, "open_b": OPEN_B, "open_c": OPEN_C, "point_a": POINT_A, "point_b": POINT_B,
            "practice_a": PRACTICE_A, "practice_b": PRACTICE_B, "plan_a": PLAN_A, "plan_b": PLAN_B, "close": CLOSE,
            "terms": topic.terms, "actions": topic.actions,
        }.items()}

    def _fill(self, template: str, klass: str) -> list[str]:
        out: list[str] = []
        for token in template.split():
            if token in ("{T}", "{T2}"):
                out.extend(self.decks["terms"].draw().split())
            elif token == "{A}":
                out.extend(self.decks["actions"].draw().split())
            elif token == "{L}":
                out.extend(self.topic.title.split())
            elif token == "{P}":
                out.append(self.presenter)
            elif token == "{C}":
                out.append(klass)
            elif token == "{S}":
                out.append(self.topic.subject)
            else:
                out.append(token)
        return out

    def _sentence(self, *slots: str, klass: str) -> list[str]:
        out: list[str] = []
        for i, slot in enumerate(slots):
            if i:
                out.append("，")
            out.extend(self._fill(self.decks[slot].draw(), klass))
        out.append("。")
        return out

    def write(self) -> Doc:
        rng, klass = self.rng, _class_name(self.rng)
        opening = self._sentence("open_a", "open_b", klass=klass)
        if rng.random() < 0.6:
            opening += self._sentence("open_c", klass=klass)
        points: list[str] = []
        for _ in range(rng.choice((2, 3))):
            points += self._sentence("point_a", "point_b", klass=klass)
        practice: list[str] = []
        for _ in range(rng.choice((1, 2))):
            practice += self._sentence("practice_a", "practice_b", klass=klass)
        plan = self._sentence("plan_a", "plan_b", klass=klass) + self._sentence("close", klass=klass)
        return [opening, points, practice, plan]


# --- Copy methods ------------------------------------------------------------------


class _Renamer:
    """A copier's new names: each person and class of the source consistently becomes another one."""

    def __init__(self, rng: random.Random):
        self.rng, self.names = rng, {}

    def __call__(self, token: str) -> str:
        if token not in self.names:
            if NAME_RE.match(token):
                self.names[token] = self.rng.choice([s for s in SURNAMES if s != token[0]]) + token[1:]
            elif CLASS_RE.match(token):
                new = token
                while new == token:
                    new = _class_name(self.rng)
                self.names[token] = new
            else:
                return token
        return self.names[token]


def paraphrase(rng: random.Random, doc: Doc, share: tuple[float, float] = (0.25, 0.30)) -> tuple[Doc, float]:
    """Replace a share of the words by synonyms from :data:`PARAPHRASES`, rename people and classes; order kept."""
    words = _words(doc)
    target = rng.randint(math.ceil(len(words) * share[0]), math.floor(len(words) * share[1]))
    slots = [(p, i) for p, para in enumerate(doc) for i, t in enumerate(para) if t in PARAPHRASES]
    rng.shuffle(slots)
    chosen = set(slots[:target])
    out: Doc = []
    rename = _Renamer(rng)
    for p, para in enumerate(doc):
        new: list[str] = []
        for i, t in enumerate(para):
            if (p, i) in chosen:
                new.extend(rng.choice(PARAPHRASES[t]).split())
            else:
                new.append(rename(t))
        out.append(new)
    return out, len(chosen) / max(1, len(words))


def _sentences(tokens: list[str]) -> list[list[str]]:
    out, cur = [], []
    for t in tokens:
        cur.append(t)
        if t in "。！？":
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def _clauses(doc: Doc) -> list[str]:
    """The text cut after each punctuation mark (clause pieces, each with its mark)."""
    out, cur = [], ""
    for t in [t for p in doc for t in p + ["\n"]]:
        cur += t
        if t in PUNCT or t == "\n":
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def _cut(doc: Doc, start: float, end: float) -> str:
    """The clauses of ``doc`` whose middle lies in [start, end) of its length."""
    pieces = _clauses(doc)
    total = sum(len(p) for p in pieces)
    out, pos = [], 0
    for p in pieces:
        mid = pos + len(p) / 2
        if start * total <= mid < end * total:
            out.append(p)
        pos += len(p)
    return "".join(out)


def partial(head: str, source: Doc, tail: str) -> str:
    """The copier's own opening, the middle half of the source verbatim, the copier's own ending."""
    return head.strip().rstrip("，。") + "。\n" + _cut(source, 0.25, 0.75).strip() + "\n" + tail.strip()


def reorder(rng: random.Random, doc: Doc) -> Doc:
    """Paragraphs in another order, the sentences of the longest one shuffled, names and classes changed."""
    order = list(range(len(doc)))
    while order == sorted(order):
        rng.shuffle(order)
    rename = _Renamer(rng)
    out = [[rename(t) for t in doc[i]] for i in order]
    longest = max(range(len(out)), key=lambda i: len(out[i]))
    sentences = _sentences(out[longest])
    if len(sentences) > 1:
        original = [s[:] for s in sentences]
        while sentences == original:
            rng.shuffle(sentences)
        out[longest] = [t for s in sentences for t in s]
    return out


# --- Hand-written reflections -----------------------------------------------------------


def handwritten() -> dict[str, list[Doc]]:
    """Session title -> the hand-written reflections (words separated by spaces, paragraphs by lines)."""
    sessions: dict[str, list[Doc]] = {}
    current: list[Doc] | None = None
    doc: Doc = []
    for line in (DATA / "handwritten.txt").read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if line.startswith("## "):
            current = sessions.setdefault(line[3:].strip(), [])
        elif line == "---" or (not line and doc):
            if doc and current is not None:
                current.append(doc)
            doc = []
        elif line and not line.startswith("#"):
            doc.append(line.split())
    return sessions


def _own_fragments() -> tuple[list[Doc], list[Doc]]:
    docs = handwritten().get("自己的开头与结尾", [])
    return docs[0::2], docs[1::2]


# --- The set -----------------------------------------------------------------------------


def build(part: str = "calibration", *, sessions: int | None = None, writers: int = 6, copies_per_kind: int | None = None,
          with_handwritten: bool | None = None) -> list[Session]:
    """The sessions of one part of the set; deterministic for a part and its sizes."""
    seed, topics = (1, CALIBRATION_TOPICS) if part == "calibration" else (2, HELD_OUT_TOPICS)
    rng = random.Random(seed)
    sessions = sessions if sessions is not None else len(topics)
    if copies_per_kind is None:
        copies_per_kind = 4 if part == "calibration" else 3
    out: list[Session] = []
    for n in range(sessions):
        topic = topics[n % len(topics)]
        grammar = Grammar(rng, topic, _person(rng))
        s = Session(f"{part}-{n}", part)
        docs = [grammar.write() for _ in range(writers)]
        s.stored = [Item(f"{s.key}-w{i}", s.key, render(d), "independent", part=part) for i, d in enumerate(docs)]

        def own(g=grammar):
            doc = g.write()
            return _cut(doc, 0, 0.25), _cut(doc, 0.75, 1.01)

        _add_copies(rng, s, docs, copies_per_kind, own=own)
        out.append(s)
    if with_handwritten if with_handwritten is not None else part == "held_out":
        openings, endings = _own_fragments()
        for title, docs in handwritten().items():
            if title == "自己的开头与结尾":
                continue
            s = Session(f"{part}-hand-{title}", part)
            s.stored = [Item(f"{s.key}-w{i}", s.key, render(d), "independent", part=part) for i, d in enumerate(docs)]

            def own(o=openings, e=endings):
                return render(rng.choice(o)), render(rng.choice(e))

            _add_copies(rng, s, docs, len(docs), own=own, by_source=True)
            out.append(s)
    return out


def _add_copies(rng: random.Random, s: Session, docs: list[Doc], per_kind: int, *, own, by_source: bool = False) -> None:
    for kind in ("paraphrase", "partial", "reordered"):
        picks = list(range(len(docs))) if by_source else rng.sample(range(len(docs)), per_kind)
        for j, i in enumerate(picks[:per_kind]):
            src = s.stored[i]
            share = 0.0
            if kind == "paraphrase":
                doc, share = paraphrase(rng, docs[i])
                text = render(doc)
            elif kind == "partial":
                head, tail = own()
                text = partial(head, docs[i], tail)
            else:
                text = render(reorder(rng, docs[i]))
            s.copies.append(Item(f"{s.key}-{kind}{j}", s.key, text, kind, source=src.key, part=s.part,
                                 replaced_share=share))


def mass_copies(n: int, *, seed: int = 3) -> tuple[str, list[str]]:
    """A model essay (范文) and ``n`` different paraphrases of it (a 范文 circulating in a county)."""
    rng = random.Random(seed)
    grammar = Grammar(rng, HELD_OUT_TOPICS[0], "周主任")
    essay = grammar.write()
    return render(essay), [render(paraphrase(rng, essay)[0]) for _ in range(n)]

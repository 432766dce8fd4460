package gen

// The domain lexicon: the products, practices and problems the site writes
// about, grouped so that only sensible head/aspect pairs become topics
// (京东E卡回收, not 京东E卡提额). Everything here is returned by functions,
// never held in package variables, so nothing is shared or mutable.

// head is a product or practice an article is about.
type head struct {
	name     string
	category string
	group    int
	words    []string // words that co-occur with it: the topic's own vocabulary
}

// aspect is what an article says about its head.
type aspect struct {
	name  string
	words []string
}

// Head groups: which aspects fit which heads.
const (
	groupCredit  = iota // credit products: borrowing, repaying, limits
	groupReport         // credit reports and scores
	groupCashOut        // leasing, card and goods-for-cash schemes
	groupRisk           // debt traps and scams
	numGroups
)

func heads() []head {
	return []head{
		{"花呗", "消费金融", groupCredit, []string{"支付宝", "蚂蚁", "账单", "额度", "芝麻信用", "还款日", "最低还款"}},
		{"借呗", "消费金融", groupCredit, []string{"支付宝", "蚂蚁", "借款", "额度", "利率", "日息"}},
		{"微粒贷", "网贷", groupCredit, []string{"微信", "腾讯", "借款", "额度", "日息"}},
		{"京东白条", "消费金融", groupCredit, []string{"京东", "账单", "白条", "额度", "分期"}},
		{"京东金条", "网贷", groupCredit, []string{"京东", "借款", "额度", "金条"}},
		{"美团月付", "消费金融", groupCredit, []string{"美团", "外卖", "账单", "月付"}},
		{"抖音月付", "消费金融", groupCredit, []string{"抖音", "账单", "月付", "放心借"}},
		{"网商贷", "网贷", groupCredit, []string{"网商银行", "经营", "借款", "额度"}},
		{"安逸花", "网贷", groupCredit, []string{"马上消费", "借款", "额度", "审核"}},
		{"信用卡", "信用卡", groupCredit, []string{"银行", "账单", "额度", "年费", "最低还款", "持卡人", "发卡行"}},
		{"网贷", "网贷", groupCredit, []string{"平台", "借款", "放款", "利率", "年化", "大数据"}},
		{"应急贷", "网贷", groupCredit, []string{"急用钱", "放款", "借款", "到账"}},
		{"小额贷款", "网贷", groupCredit, []string{"借款", "放款", "利率", "平台", "资质"}},
		{"消费贷", "贷款", groupCredit, []string{"银行", "用途", "利率", "借款"}},
		{"车贷", "贷款", groupCredit, []string{"车辆", "抵押", "月供", "首付"}},
		{"房贷", "贷款", groupCredit, []string{"房子", "月供", "首付", "利率", "公积金"}},
		{"备用金", "消费金融", groupCredit, []string{"支付宝", "借款", "额度", "免息"}},
		{"征信", "征信", groupReport, []string{"人民银行", "征信中心", "信用报告", "查询记录", "逾期记录"}},
		{"大数据", "征信", groupReport, []string{"网贷", "查询", "多头借贷", "风控模型"}},
		{"芝麻信用", "征信", groupReport, []string{"支付宝", "芝麻分", "信用分", "免押"}},
		{"黑户", "征信", groupReport, []string{"黑名单", "逾期", "借款", "下款"}},
		{"信用报告", "征信", groupReport, []string{"人民银行", "征信中心", "查询", "贷款记录"}},
		{"租机", "租机", groupCashOut, []string{"手机", "押金", "租金", "买断", "苹果", "平台", "签收"}},
		{"ID贷", "租机", groupCashOut, []string{"苹果", "ID", "锁机", "手机", "解锁"}},
		{"售后回租", "融资租赁", groupCashOut, []string{"车辆", "融资租赁", "所有权", "租金", "回租"}},
		{"京东E卡", "卡券回收", groupCashOut, []string{"京东", "卡密", "面值", "折扣", "寄售", "回收"}},
		{"先享后付", "消费金融", groupCashOut, []string{"免押", "芝麻信用", "扣款", "订单", "商家"}},
		{"黄金分期", "分期", groupCashOut, []string{"黄金", "克价", "首付", "回收", "金价"}},
		{"手机分期", "分期", groupCashOut, []string{"手机", "首付", "分期", "商城"}},
		{"以贷养贷", "债务", groupRisk, []string{"债务", "利息", "借款", "窟窿", "上岸"}},
		{"套路贷", "防骗", groupRisk, []string{"合同", "虚假", "砍头息", "报警", "暴力催收"}},
		{"网贷诈骗", "防骗", groupRisk, []string{"骗子", "手续费", "解冻", "转账", "报警"}},
		{"暴力催收", "债务", groupRisk, []string{"催收员", "通讯录", "投诉", "报警"}},
		{"债务逾期", "债务", groupRisk, []string{"欠款", "催收", "起诉", "协商", "分期"}},
	}
}

// aspects returns, per head group, the aspects that fit it.
func aspects() [numGroups][]aspect {
	return [numGroups][]aspect{
		groupCredit: {
			{"逾期", []string{"罚息", "违约金", "宽限期", "催收", "征信"}},
			{"风控", []string{"审核", "系统", "大数据", "评分", "限制"}},
			{"协商还款", []string{"客服", "减免", "停息挂账", "还款方案"}},
			{"额度", []string{"授信", "提额", "降额", "评估"}},
			{"提现", []string{"到账", "手续费", "银行卡"}},
			{"利息", []string{"利率", "年化", "日息", "计算"}},
			{"分期", []string{"期数", "手续费", "每期", "账单"}},
			{"上征信", []string{"征信报告", "人民银行", "记录"}},
			{"催收", []string{"电话", "短信", "家人", "投诉"}},
			{"起诉", []string{"法院", "立案", "判决", "执行"}},
			{"关闭", []string{"注销", "入口", "账户"}},
			{"开通", []string{"条件", "入口", "实名认证"}},
			{"提额", []string{"额度", "使用频率", "评估"}},
			{"申请条件", []string{"年龄", "收入", "资料", "审核"}},
			{"审核", []string{"资料", "时间", "结果", "人工"}},
			{"被拒", []string{"原因", "资质", "负债"}},
			{"解除风控", []string{"风控", "时间", "使用习惯"}},
			{"停息挂账", []string{"协商", "本金", "利息", "申请"}},
			{"提前还款", []string{"违约金", "利息", "本金"}},
		},
		groupReport: {
			{"查询", []string{"网上", "次数", "报告", "入口"}},
			{"修复", []string{"异议", "申诉", "时间"}},
			{"花了", []string{"查询记录", "审批", "贷款"}},
			{"逾期记录", []string{"五年", "消除", "保留"}},
			{"报告", []string{"个人", "解读", "明细"}},
			{"恢复", []string{"时间", "良好", "记录"}},
			{"黑名单", []string{"原因", "查询", "影响"}},
			{"多久更新", []string{"月", "上报", "机构"}},
			{"异议申诉", []string{"材料", "流程", "结果"}},
			{"查询次数", []string{"硬查询", "审批", "贷后管理"}},
			{"洗白", []string{"骗局", "收费", "虚假"}},
		},
		groupCashOut: {
			{"变现", []string{"到手", "折扣", "回收", "风险"}},
			{"回收", []string{"价格", "平台", "回收商", "到账"}},
			{"买断", []string{"尾款", "价格", "合同"}},
			{"套路", []string{"陷阱", "合同", "高额"}},
			{"平台", []string{"正规", "选择", "口碑"}},
			{"安全性", []string{"风险", "个人信息", "资金"}},
			{"流程", []string{"步骤", "下单", "审核", "签收"}},
			{"押金", []string{"免押", "退还", "芝麻信用"}},
			{"违约", []string{"违约金", "合同", "起诉"}},
			{"合法性", []string{"法律", "监管", "合同"}},
			{"逾期", []string{"违约金", "催收", "征信"}},
		},
		groupRisk: {
			{"风险", []string{"利息", "债务", "征信"}},
			{"后果", []string{"起诉", "征信", "家人"}},
			{"识别", []string{"特征", "合同", "利率"}},
			{"维权", []string{"证据", "投诉", "法院"}},
			{"报警", []string{"证据", "派出所", "立案"}},
			{"法律责任", []string{"刑期", "罪名", "判决"}},
			{"自救", []string{"规划", "收入", "协商"}},
			{"上岸", []string{"债务", "规划", "收入"}},
			{"处理办法", []string{"协商", "投诉", "证据"}},
		},
	}
}

// domainNouns are the site's everyday nouns, mixed into every topic.
func domainNouns() []string {
	return []string{
		"用户", "借款人", "平台", "额度", "利息", "资金", "风险", "记录", "信用", "账户",
		"合同", "客服", "银行", "金融机构", "消费者", "还款能力", "个人信息", "身份证",
		"手机号", "收入", "负债", "流水", "征信", "利率", "费用", "服务", "产品", "申请",
	}
}

// domainVerbs are the site's everyday verbs.
func domainVerbs() []string {
	return []string{
		"申请", "还款", "借款", "查询", "协商", "审核", "放款", "回收", "提现", "分期",
		"解除", "开通", "关闭", "处理", "了解", "避免", "选择", "使用", "办理", "核实",
		"联系", "评估", "规划", "提交", "确认",
	}
}

// titleVerbs fit the "如何{V}{T}" family of titles.
func titleVerbs() []string {
	return []string{"查询", "解除", "处理", "避免", "识别", "申请", "关闭", "应对", "了解", "办理"}
}

// titleTemplates are modelled on the site's real titles (花呗风控多久才能解除,
// 租机变现:了解其模式与风险, 花呗风控查询系统详解 …). {T} is the topic
// (head + aspect), {H}/{A} its parts, {H2} another head of the same group,
// {G} a noun of the general vocabulary, drawn uniformly so that titles
// vary, {V} a title verb, {Y} a year, {K} a small number. A title may also
// get one of titlePrefixes before and one of titleSuffixes after.
func titleTemplates() []string {
	return []string{
		"{T}详解", "{T}指南", "{T}怎么办", "{T}怎么办?", "{T}是什么意思", "{T}全面解析",
		"{T}:了解其模式与风险", "{T}:了解规则,避免违约", "如何{V}{T}", "{T}的常见套路解析",
		"{T}对征信的影响", "{T}需要注意什么?", "{T}的原因及解决办法", "{T}是否合法及其安全性探讨",
		"{T}会影响{H2}吗?", "{H}与{H2}的区别及其应用探讨", "{Y}年{T}最新政策解读", "{T}可以协商吗?",
		"{T}后会如何处理", "{T}流程及注意事项", "{T}多久才能恢复", "{T}入口在哪里", "{T}靠谱吗?",
		"关于{T}的{K}个常见问题", "{T}与{G}的关系解析", "{G}时{T}怎么办", "{H}{A}了还能{V}吗?",
		"{T}的定义与使用指南", "{T}平台的发展前景与操作指南", "一文读懂{T}", "{T}常见问题解答",
		"新手必看:{T}全攻略", "{T}是否可以{V}及其安全性探讨", "{T}的计算方法与策略", "{T}风险提示",
		"{H}{A}多久能{V}?", "{G}对{T}有什么影响", "{T}:{G}篇", "{Y}年{H}{A}还能{V}吗",
		"{T}查询系统详解", "{T}的{G}问题探讨", "{H}{A}:{K}个实用技巧",
		"{G}与{T}:{G}篇", "{T}对{G}的影响", "{T}中的{G}与{G}", "{H}{A}和{G}有关吗?",
		"{G}如何影响{T}", "{T}:从{G}到{G}", "{H}的{G}与{A}", "{T}背后的{G}",
		"{T}的{G}详解", "{G}{T}指南", "{T}:{G}的风险与对策", "{T}会影响{G}吗?", "{T}需要{G}吗?",
		"{T}的{G}是什么", "{T}的{G}怎么算", "{T}和{G}哪个好", "{G}能不能{V}{T}", "{T}的{G}标准",
		"从{G}看{T}", "{T}中{G}的作用", "{G}遇上{T}", "{T}的{G}规定", "{H}{A}的{G}有哪些",
	}
}

// titlePrefixes name who asks or when, as in "急用钱时选择合适的借款App指南".
func titlePrefixes() []string {
	return []string{
		"急用钱时", "逾期后", "新手", "大学生", "上班族", "个体户", "没有工作", "征信不好",
		"负债高", "第一次", "宝妈", "自由职业者", "退休人员", "外地人", "工资低", "刚毕业",
		"收入不稳定", "被拒后", "月底", "年底", "疫情后", "创业者", "打工人", "农民",
		"失业后", "离婚后", "{Y}年", "{Y}年最新", "{G}行业", "{G}方面",
	}
}

// titleSuffixes follow a title's core; titles whose core names no general
// noun usually get one that does.
func titleSuffixes() []string {
	return []string{
		"及{G}分析", "({Y}年最新)", ",附{G}说明", ":看完就懂", "与{G}的关系", "的{K}个要点",
		"及注意事项", "全流程", ",{G}是关键", "(含{G})", "?{G}怎么看", "|{G}专题",
	}
}

// introTemplates open a body by naming its topic.
func introTemplates() []string {
	return []string{
		"关于{T}的问题,很多用户都想了解清楚。",
		"近年来,{T}成为不少人关心的话题。",
		"{T}是很多借款人都会遇到的情况。",
		"在现代社会,{H}已经进入了很多人的生活,{T}也随之受到关注。",
		"不少用户在使用{H}时,都会关心{T}这一问题。",
		"今天我们来详细聊一聊{T}。",
		"{T}到底是怎么回事?",
		"说到{T},不少人既熟悉又陌生。",
		"随着{G}的变化,{T}越来越受到关注。",
	}
}

// openers start a sentence.
func openers() []string {
	return []string{
		"首先", "其次", "此外", "因此", "然而", "同时", "另外", "总之", "需要注意的是",
		"一般来说", "也就是说", "事实上", "值得一提的是", "换句话说", "与此同时", "具体来说",
	}
}

// clausePatterns are word-class sequences for one clause: N noun, V verb,
// A adjective, D adverb, P preposition, C conjunction, R pronoun,
// T time word, F place word, L set phrase, X a topic word, G any word of
// the general vocabulary, u the particle 的, # a number with its unit.
func clausePatterns() []string {
	return []string{
		"RDVN", "XDVAuN", "PXuNDV", "XuNDA", "CRDVX", "NVX", "DVXuN", "TRDVN",
		"PNFRDVX", "XDVN", "AuNDVX", "RVXuNG", "XuNDVGN", "LRDVX", "NDA", "FNDVGX",
		"XVN#", "RDV#uX", "PXuNRDVN", "CXDVAuN", "NuXDVG", "RGVXuN", "TXuNDA",
	}
}

// units follow the numbers # produces.
func units() []string {
	return []string{"个月", "天", "元", "%", "次", "年", "期", "万元", "个工作日", "小时"}
}

package analysis

import (
	"math"
	"strconv"
	"strings"
)

// HanDigits returns the number that word starts with in Chinese numerals,
// written in digits: 五千块 → 5000, 三十天 → 30, 一万二 → 12000, 五百八 →
// 580 (a digit after the last unit counts in the unit below it, as
// readers say amounts). Readers write amounts in characters where titles
// write digits (急用钱3000马上用怎么办, 临时急需5000块钱怎么借,
// 短期借款平台30天解析); search looks the digits up beside the word.
//
// Only a numeral of two characters or more with a unit (十, 百, 千, 万,
// 亿) is read: one character (一 of 一次, 三 of 三个月) is too often part
// of a word, and digits without a unit (一二三, 五一) are a list or a
// name. A numeral that starts with a unit other than 十 (万一, 千万,
// 百分百) is a word, not a number.
func HanDigits(word string) (string, bool) {
	run := []rune(word)
	n := 0
	for n < len(run) && strings.ContainsRune("零〇一二两三四五六七八九十百千万亿", run[n]) {
		n++
	}
	if n < 2 {
		return "", false
	}
	// The longest numeral at the start that parses (三千五百 of 三千五百块).
	for ; n >= 2; n-- {
		if v, ok := parseHanNumber(run[:n]); ok {
			return strconv.FormatUint(v, 10), true
		}
	}
	return "", false
}

// hanDigit is the value of a Chinese digit, -1 for any other rune.
func hanDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

// hanUnit is the value of a unit within a section (十, 百, 千), 0 for
// any other rune.
func hanUnit(r rune) uint64 {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	}
	return 0
}

// parseHanNumber reads a whole numeral: sections of 千, 百 and 十 under
// 万 and 亿, 零 as a placeholder, 十 alone at the start as 一十, and a
// last digit right after a unit as a count of the unit below it (三千五 is
// 3500). It needs a unit and a value of 10 or more.
func parseHanNumber(rs []rune) (uint64, bool) {
	var total, section uint64
	digit := -1         // a digit not yet given its unit
	var last uint64 = 1 // the last unit read (1: none yet, or a 零)
	units := false
	for i, r := range rs {
		if d := hanDigit(r); d >= 0 {
			if d == 0 {
				if digit > 0 {
					return 0, false // 三零: digits with no unit between them
				}
				digit, last = -1, 1
				continue
			}
			if digit >= 0 {
				return 0, false
			}
			digit = d
			continue
		}
		units = true
		if u := hanUnit(r); u > 0 {
			switch {
			case digit >= 0:
			case u == 10 && i == 0, u == 10 && last == 1 && section > 0:
				digit = 1 // 十五, 一百一十: 十 alone counts one ten
			default:
				return 0, false // 千万, 百分: a unit with no count
			}
			if section%(u*10) >= u { // 三十二十: a unit twice
				return 0, false
			}
			section += uint64(digit) * u
			digit, last = -1, u
			continue
		}
		big := uint64(10000) // 万
		if r == '亿' {
			big = 100000000
		}
		if digit >= 0 {
			section += uint64(digit)
		}
		if section == 0 && total == 0 {
			return 0, false // 万一, 亿万: no count before it
		}
		if total+section > math.MaxUint64/big {
			return 0, false // no amount a reader writes
		}
		total = (total + section) * big
		section, digit, last = 0, -1, big
	}
	if digit >= 0 {
		if last > 1 {
			section += uint64(digit) * last / 10 // 三千五, 一万二, 五百八
		} else {
			section += uint64(digit)
		}
	}
	v := total + section
	return v, units && v >= 10
}

// Digits reports whether s is one or more ASCII digits.
func Digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// DigitAmount reads an amount written in digits and a unit, as readers
// type it (2万, 3千块, 10万元): the number in digits (20000). digits is
// the run of ASCII digits, unit the word written right after it; a unit
// of 万 or 千, alone or with 元 or 块, makes an amount. Without one a
// digit is a count, a date or a list number (2 of 查询2次, 1. of a body's
// list), which the unit does not scale.
func DigitAmount(digits, unit string) (string, bool) {
	if !Digits(digits) || len(digits) > 4 || digits[0] == '0' {
		return "", false
	}
	var scale uint64
	switch strings.TrimRight(unit, "元块") {
	case "万":
		scale = 10000
	case "千":
		scale = 1000
	default:
		return "", false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(n*scale, 10), true
}

// LatinAmount reads an amount in the shorthand of Chinese chat: digits
// and w for 万 or k for 千 (2w, 5k, 10w): the number in digits (20000).
func LatinAmount(word string) (string, bool) {
	if len(word) < 2 {
		return "", false
	}
	unit := map[byte]string{'w': "万", 'k': "千"}[word[len(word)-1]]
	if unit == "" {
		return "", false
	}
	return DigitAmount(word[:len(word)-1], unit)
}

// AmountForms returns the ways titles write an amount of value (digits,
// as DigitAmount and HanDigits give it) in whole 万 or 千 of up to 99:
// in Chinese numerals, words of the dictionary (两万, 二万, 三千), and in
// digits with the unit (2万, 3千), which titles write beside the digits
// alone (借2万元一年利息多少, 急用钱3000马上用怎么办). An amount of
// another shape has none: it is written in digits only.
func AmountForms(value string) (han []string, mixed string) {
	v, err := strconv.ParseUint(value, 10, 64)
	if err != nil || v == 0 {
		return nil, ""
	}
	for _, u := range []struct {
		scale uint64
		unit  string
	}{{10000, "万"}, {1000, "千"}} {
		if v%u.scale != 0 || v/u.scale > 99 {
			continue
		}
		k := v / u.scale
		if u.scale == 1000 && k >= 10 {
			return nil, "" // 12千 is written 1万2 or 12000
		}
		han = append(han, hanCount(k)+u.unit)
		if k == 2 {
			han = append(han, "二"+u.unit)
		}
		return han, strconv.FormatUint(k, 10) + u.unit
	}
	return nil, ""
}

// hanCount writes a count of 1 to 99 before a unit in Chinese numerals
// (两 for 2, as amounts say it: 两万).
func hanCount(k uint64) string {
	const digits = "零一二三四五六七八九"
	d := []rune(digits)
	switch {
	case k == 2:
		return "两"
	case k < 10:
		return string(d[k])
	case k == 10:
		return "十"
	case k < 20:
		return "十" + string(d[k%10])
	case k%10 == 0:
		return string(d[k/10]) + "十"
	default:
		return string(d[k/10]) + "十" + string(d[k%10])
	}
}

// countUnits are the units of time and count a reader writes after a
// small number in digits or in Chinese numerals alike (逾期3天, 逾期三天;
// 分12期, 分十二期), each one character.
const countUnits = "天年期次周"

// CountForms returns the words titles write a count of k units in (三天;
// for a numeral of two characters or more, the numeral too: the dictionary
// cuts 九十天 as 九十 / 天, 二十四期 as 二十四 / 期) and its title bigram in
// digits (3天, 90天). unit is one of countUnits; k from 1 to 99.
func CountForms(k uint64, unit string) (words []string, pair string) {
	if k == 0 || k > 99 || len([]rune(unit)) != 1 || !strings.Contains(countUnits, unit) {
		return nil, ""
	}
	n := hanCount(k)
	words = []string{n + unit}
	if k > 10 {
		words = append(words, n)
	}
	return words, strconv.FormatUint(k, 10) + unit
}

// HanSmall reads a Chinese numeral of 1 to 99 written as one word (三,
// 两, 十二, 九十九), false for any other word.
func HanSmall(word string) (uint64, bool) { return hanSmall([]rune(word)) }

// HanCount reads a count written in Chinese numerals and a unit of
// countUnits as one word (三天, 一年, 两次, 三十天): the same count in
// digits with the unit (3天), the title bigram of a title that writes it
// so. Counts of 1 to 99 only.
func HanCount(word string) (string, bool) {
	rs := []rune(word)
	if len(rs) < 2 || !strings.ContainsRune(countUnits, rs[len(rs)-1]) {
		return "", false
	}
	k, ok := hanSmall(rs[:len(rs)-1])
	if !ok {
		return "", false
	}
	return strconv.FormatUint(k, 10) + string(rs[len(rs)-1]), true
}

// hanSmall reads a Chinese numeral of 1 to 99 (三, 两, 十二, 三十, 九十九).
func hanSmall(rs []rune) (uint64, bool) {
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10, true
		}
		if d := hanDigit(rs[0]); d > 0 {
			return uint64(d), true
		}
	case 2, 3:
		if v, ok := parseHanNumber(rs); ok && v < 100 && !strings.ContainsRune(string(rs), '两') {
			return v, true
		}
	}
	return 0, false
}

"""Contact-detail redaction for messages between users (PRODUCT.md invariant 4).

``redact(text)`` finds phone numbers, e-mail addresses, WeChat / LINE / QQ ids, links to payment
apps and requests to pay outside the platform, in Chinese, Japanese and English, and replaces each
found span by ``MARKER``. It is pure (no database, no settings) and fast (compiled regexes); the
rules and their examples are in docs/domains/messaging.md.

Matching runs on a normalised copy of the text (NFKC: full-width digits and letters, ``＠``,
``．``, circled digits become ASCII; zero-width characters are dropped) while the spans are cut
from the original text, so what is not redacted stays exactly as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MARKER = "[•••]"

PHONE = "phone"
EMAIL = "email"
WECHAT = "wechat"
LINE = "line"
QQ = "qq"
PAYMENT_LINK = "payment_link"
OFF_PLATFORM_PAYMENT = "off_platform_payment"

KINDS: tuple[str, ...] = (PHONE, EMAIL, WECHAT, LINE, QQ, PAYMENT_LINK, OFF_PLATFORM_PAYMENT)


@dataclass(frozen=True)
class Redacted:
    text: str  # the text with every found span replaced by MARKER
    kinds: tuple[str, ...]  # what was found, in KINDS order, each once


# --- normalisation ---------------------------------------------------------------------------

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC per character, with the index in ``text`` of every character of the result."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            continue
        if ch.isascii():
            out.append(ch)
            origin.append(i)
            continue
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm)
        origin.extend([i] * len(norm))
    return "".join(out), origin


# --- phone numbers ----------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": "0", "零": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "两": "2", "貳": "2", "贰": "2",
    "三": "3", "叁": "3", "參": "3", "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6",
    "陸": "6", "七": "7", "柒": "7", "八": "8", "捌": "8", "九": "9", "玖": "9", "o": "0", "O": "0",
}  # fmt: skip
_D = "[0-9〇零一幺壹二两貳贰三叁參四肆五伍六陆陸七柒八捌九玖oO]"
# separators people put inside numbers: spaces, hyphens and dashes (incl. the katakana long vowel
# mark used as a hyphen), dots, brackets, underscores, middle dots. Not ",", ":", "/", "~", "×".
_SEP = r"[ \t\-.()_・ー‐‑‒–—―−]"
_PHONE_RUN = re.compile(rf"(?<![0-9_/])(?:\+\s?)?\(?{_D}(?:{_SEP}{{0,3}}{_D}){{6,}}\)?(?![0-9_])")
_GROUP = re.compile(_D + "+")

_CONTACT_WORD = re.compile(
    r"(?:電話|电话|手机|手機|携帯|ケータイ|けいたい|联系方式|聯繫方式|联系电话|連絡先|"
    r"\btel\b|\bphone\b|\bmobile\b|\bcell\b|\bwhatsapp\b|\bcall me\b|\btext me\b)"
    r"[^0-9〇零一幺二三四五六七八九]{0,12}$",
    re.IGNORECASE,
)

_US_FORMAT = re.compile(r"\(?[2-9]\d{2}\)?[ .\-]?[2-9]\d{2}[.\-]\d{4}")
_CN_LANDLINE_FORMAT = re.compile(r"\(?0\d{2,3}\)?[ \-]?\d{7,8}")
_WORD_DIGITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_WORD_RUN = re.compile(
    r"\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)[\s,\-]+){6,}"
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)\b",
    re.IGNORECASE,
)


def _digits(s: str) -> str:
    return "".join(_CN_DIGITS.get(c, c) for c in s if c.isdigit() or c in _CN_DIGITS)


def _is_phone(digits: str, text: str, plus: bool) -> bool:
    n = len(digits)
    if plus:
        return 8 <= n <= 15
    if digits.startswith("00") and 10 <= n <= 15:  # 0086…, 0081…
        return True
    if re.fullmatch(r"(?:86)?1[3-9]\d{9}", digits):  # CN mobile, optionally with 86
        return True
    if re.fullmatch(r"0[5789]0\d{8}", digits):  # JP mobile / IP phone 090, 080, 070, 050
        return True
    if re.fullmatch(r"0[1-9]\d{8}", digits):  # JP landline 03-1234-5678, 0120-123-456
        return True
    if re.match(r"81[ \-.]", text) and re.fullmatch(r"81[1-9]\d{8,9}", digits):  # 81-90-…
        return True
    if _CN_LANDLINE_FORMAT.fullmatch(text):  # 010-12345678, 0755 1234567
        return True
    return bool(_US_FORMAT.fullmatch(text))  # (415) 555-0132, 415-555-0132


def _phone_spans(norm: str) -> Iterator[tuple[int, int]]:
    for m in _PHONE_RUN.finditer(norm):
        run = m.group()
        plus = run.startswith("+")
        groups = list(_GROUP.finditer(run))
        if sum(len(_digits(g.group())) for g in groups) < 7:
            continue
        if sum(1 for c in run if c.isdigit() or (c in _CN_DIGITS and c not in "oO")) < 4:  # "oooo…"
            continue
        near_word = bool(_CONTACT_WORD.search(norm[max(0, m.start() - 40) : m.start()]))
        if near_word and len(_digits(run)) >= 7:
            yield m.start(), m.end()
            continue
        # the longest phone made of consecutive digit groups, then the next one after it
        i = 0
        while i < len(groups):
            found = False
            for j in range(len(groups) - 1, i - 1, -1):
                start = groups[i].start()
                end = groups[j].end()
                if start > 0 and run[start - 1] == "(":
                    start -= 1
                if end < len(run) and run[end] == ")":
                    end += 1
                # a letter o next to a number is more likely a letter than a zero: try without
                trimmed_start = start + (len(run[start:end]) - len(run[start:end].lstrip("oO")))
                trimmed_end = end - (len(run[start:end]) - len(run[start:end].rstrip("oO")))
                for a, b in ((start, end), (trimmed_start, trimmed_end)):
                    piece = run[a:b]
                    if b > a and _is_phone(_digits(piece), piece, plus and i == 0):
                        yield m.start() + (0 if i == 0 and a == start else a), m.start() + b
                        found = True
                        break
                if found:
                    i = j + 1
                    break
            if not found:
                i += 1
    for m in _WORD_RUN.finditer(norm):
        digits = "".join(_WORD_DIGITS.get(w.lower(), w) for w in re.split(r"[\s,\-]+", m.group()) if w)
        if len(digits) >= 7 and (_is_phone(digits, digits, False) or len(digits) >= 10):
            yield m.start(), m.end()


# --- e-mail -----------------------------------------------------------------------------------

_TLD = r"(?:com|net|org|jp|cn|co|ne|or|ac|ad|go|edu|gov|io|me|info|biz|hk|tw|kr|uk|us|de|fr|ca|au|sg)"
_OBF_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|\.|点|ドット)\s*[)\]}>]\s*|\s+dot\s+|\s*点\s*|\s*ドット\s*)"
_OBF_AT = r"(?:\s*[(\[{<]\s*(?:at|@|艾特|アット)\s*[)\]}>]\s*|\s+at\s+|\s*(?:艾特|圈a|アットマーク|アット|あっと)\s*)"
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9._%+\-]*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"(?<![A-Za-z0-9._%+\-]){_LOCAL}\s*@\s*{_LABEL}(?:{_OBF_DOT}{_LABEL})+", re.IGNORECASE)
_EMAIL_OBF = re.compile(
    rf"(?<![A-Za-z0-9._%+\-]){_LOCAL}{_OBF_AT}{_LABEL}(?:{_OBF_DOT}{_LABEL})*{_OBF_DOT}{_TLD}\b",
    re.IGNORECASE,
)
_EMAIL_PROVIDER = re.compile(
    rf"(?<![A-Za-z0-9._%+\-]){_LOCAL}(?:\s*@\s*|{_OBF_AT})"
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|foxmail|docomo|ezweb|protonmail)\b",
    re.IGNORECASE,
)


# --- WeChat, LINE, QQ -------------------------------------------------------------------------

_ID_SEP = r"(?:[\s:：=\-]|是|为|為|は|の|的|号|號|ID|Id|id|ＩＤ|账号|帳號|アカウント|:)*"
_ASCII_ID = r"[A-Za-z][A-Za-z0-9_\-]{5,19}(?![A-Za-z0-9_\-])"
_NUM_ID = rf"{_D}(?:[ \-]?{_D}){{4,14}}(?![0-9])"
_WECHAT_WORD = r"(?:微信号?|微信號|威信|薇信|徽信|V信|v信|VX|vx|Vx|vX|WX|wx|Wx|weixin|wechat|we chat|ウィーチャット)"
_WECHAT_ID = re.compile(rf"(?<![A-Za-z0-9]){_WECHAT_WORD}(?![A-Za-z]){_ID_SEP}(?:{_ASCII_ID}|{_NUM_ID})", re.IGNORECASE)
_WECHAT_ASK = re.compile(
    r"(?:(?:加|➕|\+)\s*(?:我|下|一下)?\s*(?:的)?\s*(?:微信|威信|薇信|V信|v信|VX|vx|WX|wx|微|V|v)(?![A-Za-z领字型形])"
    r"|微信(?:联系|聯繫|聊|私聊|详谈|詳談|同号|同號|沟通|溝通)"
    rf"|{_WECHAT_WORD}\s*(?:同号|同號|同手机号?|同手機號?)"
    r"|(?:add|contact|message|text|find|reach|dm)\s+me\s+on\s+(?:wechat|weixin)"
    r"|\bwechat\s+me\b"
    r"|\bmy\s+(?:wechat|weixin)(?:\s+id)?\s+is\b)"
    rf"(?:{_ID_SEP}(?:{_ASCII_ID}|{_NUM_ID}))?",
    re.IGNORECASE,
)
_WXID = re.compile(r"(?<![A-Za-z0-9])wxid_[A-Za-z0-9_\-]{4,}", re.IGNORECASE)

_LINE_WORD_CS = r"(?:(?<![A-Za-z])LINE(?![A-Za-z])|(?<![ァ-ヺー])ライン|らいん)"
_LINE_ID = re.compile(
    rf"(?:{_LINE_WORD_CS}\s*(?:の\s*)?(?:ID|Id|id|ＩＤ|アカウント)?|(?<![A-Za-z])line\s*id\b)"
    r"[\s:：=]*(?:は|是|:)?\s*@?[A-Za-z0-9][A-Za-z0-9._\-]{3,19}(?![A-Za-z0-9._\-])"
)
_LINE_ASK = re.compile(
    rf"(?:{_LINE_WORD_CS}\s*(?:ID|id|ＩＤ)?\s*(?:を|の)?\s*(?:交換|教え|追加|登録|で連絡|で話|でやり取り|でやりとり|でお願い|やって|友達|友だち)"
    r"|(?:add|contact|message|text|find)\s+me\s+on\s+LINE\b"
    r"|\bmy\s+LINE(?:\s+id)?\s+is\b"
    r"|加(?:我)?(?:的)?\s*LINE(?![A-Za-z]))"
    r"(?:[\s:：=]*@?[A-Za-z0-9][A-Za-z0-9._\-]{3,19}(?![A-Za-z0-9._\-]))?",
    re.IGNORECASE,
)

_QQ_WORD = r"(?:(?<![A-Za-z])QQ(?![A-Za-z])|(?<![A-Za-z])qq(?![A-Za-z])|扣扣|企鹅号|企鵝號|Q号|Q號)"
_QQ_ID = re.compile(rf"{_QQ_WORD}{_ID_SEP}[1-9０-９一二三四五六七八九](?:[ \-]?{_D}){{4,11}}(?![0-9])")
_QQ_ASK = re.compile(
    r"(?:加\s*(?:我)?\s*(?:的)?\s*(?:QQ|qq|扣扣|Q|q)(?![A-Za-z])|QQ(?:联系|聯繫|聊|私聊))"
    rf"(?:{_ID_SEP}[1-9](?:[ \-]?{_D}){{4,11}}(?![0-9]))?"
)


# --- links ------------------------------------------------------------------------------------

_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*(?:dot|\.|点)\s*[)\]]\s*|\s+dot\s+|点)"


def _host(*labels: str) -> str:
    return _DOT.join(labels)


_PATH = r"(?:\s?/[^\s<>\"'、。，,）)」』\]]*)?"
_PAYMENT_HOSTS = "|".join(
    [
        _host("paypal", "me"),
        _host("paypal", "com") + r"\s?/\s?(?:paypalme|pools|donate|qrcodes|invoice|ncp|pay|send)",
        _host("paypal", "com", r"[a-z]{2}") + r"?",
        _host(r"(?:[a-z0-9\-]+\.)*alipay", "com"),
        _host(r"(?:[a-z0-9\-]+\.)*alipay", "hk"),
        _host(r"(?:[a-z0-9\-]+\.)*paypay", "ne", "jp"),
        _host(r"(?:account\.)?venmo", "com"),
        _host("venmo", "me"),
        _host("cash", "app"),
        _host("cash", "me"),
        _host("revolut", "me"),
        _host(r"(?:pay\.)?revolut", "com"),
        _host("wise", "com") + r"\s?/\s?(?:pay|share|r)\b",
        _host("transferwise", "com"),
        _host("pay", "weixin", "qq", "com"),
        _host("wechatpay", r"(?:com|cn)"),
        _host("pay", "line", "me"),
        _host("buy", "stripe", "com"),
        _host("ko-fi", "com"),
        _host("buymeacoffee", "com"),
    ]
)
_PAYMENT_LINK = re.compile(
    rf"(?:https?://)?(?:www\.)?(?<![A-Za-z0-9\-])(?:{_PAYMENT_HOSTS}){_PATH}"
    r"|(?:wxp|weixin|alipays|alipay|paypay|venmo)://[^\s<>\"'、。，）)」』]*"
    r"|(?<![A-Za-z])(?:cash\s?app|cashapp)\s*[:：]?\s*\$[A-Za-z][A-Za-z0-9_]{1,19}"
    r"|(?<![A-Za-z])venmo\s*[:：]?\s*@[A-Za-z0-9_\-]{3,30}"
    r"|(?<![A-Za-z])paypal\s*[:：]\s*\S+",
    re.IGNORECASE,
)
_WECHAT_LINK = re.compile(r"(?:https?://)?(?:u\.wechat\.com|weixin\.qq\.com/r)/[^\s<>\"'、。，）)」』]*", re.IGNORECASE)
_LINE_LINK = re.compile(r"(?:https?://)?(?:line\.me/(?:ti|r|R)|lin\.ee)/[^\s<>\"'、。，）)」』]*", re.IGNORECASE)
_QQ_LINK = re.compile(r"(?:https?://)?qm\.qq\.com/[^\s<>\"'、。，）)」』]*", re.IGNORECASE)
_PHONE_LINK = re.compile(r"(?:https?://)?(?:wa\.me|api\.whatsapp\.com/send)/?[^\s<>\"'、。，）)」』]*", re.IGNORECASE)


# --- paying outside the platform --------------------------------------------------------------

_APP = r"(?:paypal|venmo|zelle|cash\s?app|wise|revolut|western union|moneygram|alipay|wechat\s?pay|paypay)"
_OFF_PLATFORM = re.compile(
    "|".join(
        [
            # 中文
            r"私下(?:交易|付款|付|转账|轉帳|转|联系|聯繫|联络|聊)",
            r"线下(?:交易|付款|转账)|線下(?:交易|付款|轉帳)",
            r"直接(?:转账|轉帳|打款|汇款|匯款|付款给我|付给我|转给我|轉給我)",
            r"(?:转账|轉帳|打款|汇款|匯款|转|付)(?:到|给|給)(?:我的?)?(?:支付宝|支付寶|微信|银行卡|銀行卡|账户|帳戶|卡上)",
            r"(?:支付宝|支付寶|微信)(?:转账|轉帳|转|付款|付)(?:给|給)(?:我|你)",
            r"(?:用|走)(?:支付宝|支付寶|微信|银行卡|銀行卡)(?:付|转|转账|交易)",
            r"不(?:走|通过|通過|经过|經過)平台",
            r"(?:绕过|繞過|绕开|避开)平台",
            r"平台(?:外|以外)(?:交易|付款|联系)",
            r"(?:银行卡|銀行卡|收款|银行|銀行|支付宝|支付寶)(?:账号|帳號|卡号|卡號)\s*[:：是为]?\s*[0-9][0-9 \-]{5,}",
            r"(?:发|發)(?:个)?红包(?:给我|給我)",
            r"免(?:平台)?手续费(?:交易)?",
            # 日本語
            r"直接(?:振込|振り込|お?取引|取り引き|お?支払|払|送金|やり取り|やりとり)",
            r"銀行振(?:り)?込(?:み)?(?:で|に|して|でお願い|可能|OK)",
            r"口座(?:に|へ)(?:振り?込|送金)",
            r"(?:振込先|振り込み先|口座番号)\s*(?:は|:)?\s*[0-9][0-9 \-]{5,}",
            r"(?:振込先|振り込み先|口座番号)(?:を|は)?(?:教え|お知らせ|送)",
            r"(?:アプリ|サイト|プラットフォーム|市集)(?:外|の外|を通さず|を通さない|を介さず)",
            r"(?:個人間|個人的に)(?:で)?(?:取引|やり取り|お?支払)",
            r"手数料(?:を|が)?(?:かからない|なし|無し)で(?:取引|払|お?支払)",
            rf"{_APP}\s*(?:で|に)\s*(?:直接)?(?:送金|払|支払|振込)",
            r"現金書留",
            # English
            r"\bpay(?:ing)?\s+(?:me\s+|you\s+|us\s+)?directly\b",
            r"\b(?:pay|paying|payment|deal|trade|transaction)\s+(?:me\s+)?(?:outside|off)\s+(?:of\s+)?(?:the\s+|this\s+)?(?:app|platform|site|website|shiji)\b",
            r"\boutside\s+(?:of\s+)?(?:the|this)\s+(?:app|platform|site|website)\b",
            r"\boff[\s\-](?:the\s+)?(?:platform|app|site)\b",
            r"\bskip\s+(?:the\s+)?(?:platform|app|site|fees?)\b",
            r"\bavoid\s+(?:the\s+)?(?:platform\s+|app\s+|site\s+)?fees?\b",
            r"\b(?:bank|wire)\s+transfer\b",
            r"\bwire\s+(?:me|the money)\b",
            r"\bfriends\s*(?:and|&)\s*family\b|\bF\s?&\s?F\b",
            rf"\b(?:pay|send|transfer)\s+(?:me\s+|it\s+|the money\s+|money\s+)?"
            rf"(?:via|through|on|with|by|over)\s+{_APP}\b",
            rf"\b(?:my\s+)?{_APP}\s+(?:is|account|handle|id)\s*[:：]?\s*[@$]?[A-Za-z0-9._\-]{{3,}}",
            r"\b(?:IBAN|routing number|account number|sort code)\s*[:：]?\s*[A-Z0-9][A-Z0-9 \-]{5,}",
        ]
    ),
    re.IGNORECASE,
)

# --- the detectors, in order ------------------------------------------------------------------

_Finder = Callable[[str], Iterator[tuple[int, int]]]


def _regex(pattern: re.Pattern[str]) -> _Finder:
    def find(norm: str) -> Iterator[tuple[int, int]]:
        for m in pattern.finditer(norm):
            if m.end() > m.start():
                yield m.start(), m.end()

    return find


_DETECTORS: tuple[tuple[str, _Finder], ...] = (
    (PAYMENT_LINK, _regex(_PAYMENT_LINK)),
    (WECHAT, _regex(_WECHAT_LINK)),
    (LINE, _regex(_LINE_LINK)),
    (QQ, _regex(_QQ_LINK)),
    (PHONE, _regex(_PHONE_LINK)),
    (EMAIL, _regex(_EMAIL)),
    (EMAIL, _regex(_EMAIL_OBF)),
    (EMAIL, _regex(_EMAIL_PROVIDER)),
    (WECHAT, _regex(_WECHAT_ID)),
    (WECHAT, _regex(_WXID)),
    (WECHAT, _regex(_WECHAT_ASK)),
    (LINE, _regex(_LINE_ID)),
    (LINE, _regex(_LINE_ASK)),
    (QQ, _regex(_QQ_ID)),
    (QQ, _regex(_QQ_ASK)),
    (OFF_PLATFORM_PAYMENT, _regex(_OFF_PLATFORM)),
    (PHONE, _phone_spans),
)


def redact(text: str) -> Redacted:
    """Replace contact details and off-platform payment requests in ``text`` by ``MARKER``."""
    if not text:
        return Redacted(text=text, kinds=())
    norm, origin = _normalise(text)
    spans: list[tuple[int, int, str]] = []
    for kind, find in _DETECTORS:
        for start, end in find(norm):
            # trim surrounding blanks so the marker sits where the detail was
            while start < end and norm[start].isspace():
                start += 1
            while end > start and norm[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((origin[start], origin[end - 1] + 1, kind))
    if not spans:
        return Redacted(text=text, kinds=())
    spans.sort()
    merged: list[list[int]] = []
    for start, end, _kind in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts: list[str] = []
    pos = 0
    for start, end in merged:
        parts.append(text[pos:start])
        parts.append(MARKER)
        pos = end
    parts.append(text[pos:])
    found = {kind for _s, _e, kind in spans}
    return Redacted(text="".join(parts), kinds=tuple(k for k in KINDS if k in found))

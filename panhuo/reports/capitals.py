"""Amounts in Chinese capitals (大写金额) and in 万元, as official documents state totals.

The rules are those of the People's Bank of China's payment and settlement measures
(《支付结算办法》附件一): digits 零壹贰叁肆伍陆柒捌玖 with the units 拾佰仟 and 万亿; a run of
zeros inside the number is written as one 零 (none at the end of a four-digit group that ends
the number); a whole amount ends in 元整; where the yuan digit is zero but jiao or fen follow,
一个零 is written after 元 (壹仟陆佰捌拾元零叁角贰分), and so is one where the jiao is zero
and the fen is not (叁佰贰拾伍元零肆分). ``parse_capitals`` reads them back: the tests check
the round trip over generated amounts.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
#: The unit of each four-digit group: yuan, 万 (10^4), 亿 (10^8).
GROUP_UNITS = ("", "万", "亿")
#: Amounts stated in capitals stay below a trillion yuan (万亿 is not written).
LIMIT = Decimal(10) ** 12
CENT = Decimal("0.01")
WAN = Decimal(10000)


def _integer(n: int) -> str:
    """The capitals of a whole number of yuan above zero (without 元)."""
    digits = str(n)
    out: list[str] = []
    zero = False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        d = int(ch)
        if d == 0:
            zero = True
        else:
            if zero and out:
                out.append("零")
            zero = False
            out.append(DIGITS[d] + SMALL_UNITS[pos % 4])
        if pos % 4 == 0 and pos:
            group = digits[max(0, i - 3) : i + 1]
            if int(group):
                out.append(GROUP_UNITS[pos // 4])
    return "".join(out)


def to_capitals(amount: Decimal) -> str:
    """``amount`` (yuan, rounded half up to the fen) in Chinese capitals, e.g.
    1234567.89 → 壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分; below zero, 负 first."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        return "负" + to_capitals(-value)
    if value >= LIMIT:
        raise ValueError(f"{amount} is too large to write in capitals (below 10^12 yuan).")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if not jiao and not fen:
        return (_integer(yuan) if yuan else "零") + "元整"
    out = _integer(yuan) + "元" if yuan else ""
    if jiao:
        if yuan and yuan % 10 == 0:
            out += "零"
        out += DIGITS[jiao] + "角"
    if fen:
        if yuan and not jiao:
            out += "零"
        out += DIGITS[fen] + "分"
    return out


def parse_capitals(text: str) -> Decimal:
    """The amount written in capitals (the inverse of ``to_capitals``); a ValueError names
    the character it cannot read."""
    sign = 1
    if text.startswith("负"):
        sign, text = -1, text[1:]
    text = text.removesuffix("整")
    total = section = number = 0
    fraction = Decimal(0)
    for ch in text:
        if ch in DIGITS:
            number = DIGITS.index(ch)
        elif ch in "拾佰仟":
            section += number * 10 ** (SMALL_UNITS.index(ch))
            number = 0
        elif ch == "万":
            total += (section + number) * 10**4
            section = number = 0
        elif ch == "亿":
            total = (total + section + number) * 10**8
            section = number = 0
        elif ch == "元":
            total += section + number
            section = number = 0
        elif ch == "角":
            fraction += Decimal(number) / 10
            number = 0
        elif ch == "分":
            fraction += Decimal(number) / 100
            number = 0
        else:
            raise ValueError(f"“{ch}” is not part of an amount in capitals.")
    return sign * (Decimal(total + section + number) + fraction).quantize(CENT)


def wan(amount: Decimal) -> Decimal:
    """Yuan in 万元, to two decimals (rounded half up), as report tables state money."""
    return (Decimal(amount) / WAN).quantize(CENT, rounding=ROUND_HALF_UP)

"""Who is writing: a seller or a buyer. Rules for the other side are ranked lower, not hidden.

>>> guess_audience("Продаю на площадке, поставка FBO не принята на склад")
'seller'
>>> guess_audience("Заказала платье, курьер не привёз, верните деньги")
'buyer'
>>> guess_audience("Какая завтра погода?") is None
True
>>> guess_audience("I got the sneakers five days ago, can I return them?"), guess_audience("I'm a seller: my payout is late")
('buyer', 'seller')
>>> guess_audience("Today the seller messaged me that the price was a mistake. When will I get my money back?")
'buyer'
"""

from __future__ import annotations

import re

_SELLER = re.compile(
    r"\bпрода[юёе]\w*|\bселлер\w*|\bмой магазин|\bмои товары|\bмоих товар|\bfbo\b|\bfbs\b|\brfbs\b|поставк\w*|"
    r"карточк\w*|выплат\w*|комисси\w*|личн\w+ кабинет\w*|\bмодераци\w*|штраф\w*|отгруз\w*|\bsku\b|"
    r"покупател\w*|рейтинг\w*|my (?:shop|store|products)|\bI(?:'m| am) a seller|\bas a seller|\bpayout|\bcommission|"
    r"\bI sell|\bbuyers?\b",
    re.I)
_BUYER = re.compile(
    r"заказал\w*|купил\w*|\bпривез\w*|пункт\w* выдачи|получил\w*|курьер\w*|\bпокупк\w*|"
    r"верните деньги|\bмне не приш\w*|\bI ordered|\bI bought|\bI (?:got|received|paid)\b|my order|\bdelivery\b|"
    r"\brefund\b|\bmoney back\b|\breturn (?:it|them)\b|pick-?up point|\bthe seller\b", re.I)


SURE_MARGIN = 2   # this many more cues of one side than of the other make the guess sure


def guess_audience(text: str, with_margin: bool = False):
    """"seller", "buyer" or None; with ``with_margin``, also whether the guess is sure."""
    seller, buyer = len(_SELLER.findall(text)), len(_BUYER.findall(text))
    side = "seller" if seller > buyer else "buyer" if buyer > seller else None
    return (side, abs(seller - buyer) >= SURE_MARGIN) if with_margin else side

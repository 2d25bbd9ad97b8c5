"""Segmentation rules on small hand-written marketplace documents, in every format users bring."""

from __future__ import annotations

import pytest

from render import find_font, to_docx, to_html, to_markdown, to_pdf, to_text

from assistant.clauses import segment
from assistant.errors import IngestError
from assistant.ingest import load_document

# A seller offer with sections, points down to three levels (with and without a final dot),
# «1)» items and «а)» items. Written for these tests.
OFFER = [
    (1, "Оферта о размещении товаров на площадке «Полка»"),
    (2, "1. Общие положения"),
    (None, "1.1. Настоящая оферта определяет условия, на которых продавец размещает товары на площадке «Полка» и продаёт их покупателям."),
    (None, "1.2. В оферте используются следующие термины."),
    (None, "1.2.1. Площадка — сайт и мобильное приложение «Полка», через которые покупатели оформляют заказы."),
    (None, "1.2.2 Заказ — запрос покупателя на покупку одного или нескольких товаров продавца."),
    (None, "1.2.3 Отправление — упакованный товар из одного заказа с собственным номером."),
    (2, "2. Размещение товаров"),
    (None, "2.1. Продавец размещает карточку товара в личном кабинете и отвечает за достоверность её описания."),
    (None, "2.2. Площадка вправе скрыть карточку товара, если:"),
    (None, "1) описание не соответствует товару;"),
    (None, "2) цена указана с явной ошибкой;"),
    (None, "3) товар запрещён к продаже законом."),
    (None, "2.3. Продавец может вернуть скрытую карточку на витрину после исправления нарушения."),
    (2, "3. Цены и оплата"),
    (None, "3.1. Цену товара устанавливает продавец."),
    (None, "3.2. Покупатель оплачивает заказ на площадке при оформлении или при получении."),
    (2, "4. Доставка"),
    (None, "4.1. Продавец передаёт отправление в пункт приёма не позднее срока, указанного в заказе."),
    (None, "4.2. Площадка отвечает за сохранность отправления с момента его приёмки до вручения покупателю."),
    (2, "5. Возврат товара"),
    (None, "5.1. Покупатель вправе вернуть товар в порядке, установленном настоящим разделом."),
    (None, "5.2. Товар ненадлежащего качества принимается к возврату в течение гарантийного срока."),
    (None, "5.3. Товар надлежащего качества принимается к возврату, если:"),
    (None, "а) сохранены его товарный вид и потребительские свойства;"),
    (None, "б) сохранён документ, подтверждающий покупку;"),
    (None, "в) со дня получения прошло не более семи дней."),
    (None, "5.4. Площадка возвращает деньги покупателю в течение десяти дней после приёмки возврата."),
]

OFFER_PATHS = {
    ("1",), ("1", "1.1"), ("1", "1.2"), ("1", "1.2", "1.2.1"), ("1", "1.2", "1.2.2"), ("1", "1.2", "1.2.3"),
    ("2",), ("2", "2.1"), ("2", "2.2"), ("2", "2.2", "1)"), ("2", "2.2", "2)"), ("2", "2.2", "3)"), ("2", "2.3"),
    ("3",), ("3", "3.1"), ("3", "3.2"),
    ("4",), ("4", "4.1"), ("4", "4.2"),
    ("5",), ("5", "5.1"), ("5", "5.2"), ("5", "5.3"), ("5", "5.3", "а)"), ("5", "5.3", "б)"), ("5", "5.3", "в)"), ("5", "5.4"),
}


def _docx(paras, path):
    return to_docx(paras, path)[0]


def _docx_auto(paras, path):
    return to_docx(paras, path, auto_numbering=True)[0]


RENDERERS = {
    "md": (".md", to_markdown),
    "txt": (".txt", to_text),
    "html": (".html", to_html),
    "docx": (".docx", _docx),
    "docx-autonum": (".docx", _docx_auto),
}


def cut(tmp_path, paras, fmt: str, *, short: str = "Оферта", name: str = "offer"):
    suffix, render = RENDERERS[fmt]
    path = render(paras, tmp_path / f"{name}{suffix}")
    return segment(load_document(path), doc=name, version="1", short=short)


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_path(clauses):
    return {c.path: c for c in clauses}


# --- decimal points and items -----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", RENDERERS)
def test_offer_points_and_items_become_nested_clauses(tmp_path, fmt):
    clauses = cut(tmp_path, OFFER, fmt)
    got = by_path(clauses)
    assert set(got) - {("Преамбула",)} == OFFER_PATHS
    if fmt == "txt":   # no markup: the document's first line is its preamble
        assert got[("Преамбула",)].text.startswith("Оферта о размещении")
    else:
        assert ("Преамбула",) not in got
    assert got[("1",)].title == "Общие положения"
    assert got[("5",)].title == "Возврат товара"
    assert got[("1", "1.2", "1.2.2")].text.startswith("Заказ — запрос покупателя")    # no final dot
    assert got[("1", "1.2", "1.2.1")].text.startswith("Площадка — сайт")              # final dot
    assert got[("5", "5.3", "а)")].text == "сохранены его товарный вид и потребительские свойства;"
    assert got[("2", "2.2", "3)")].text == "товар запрещён к продаже законом."
    # the point after a list is a sibling of the point that introduced the list, not an item
    assert got[("2", "2.3")].text.startswith("Продавец может вернуть")
    assert got[("5", "5.4")].text.startswith("Площадка возвращает деньги")


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_offer_citations_ids_and_parents(tmp_path, fmt):
    got = by_path(cut(tmp_path, OFFER, fmt, short="Оферта «Полки»"))
    item = got[("5", "5.3", "а)")]
    assert item.citation == "Оферта «Полки», п. 5.3, подп. «а»"
    assert item.id == "offer:5.3/а)"
    assert item.parents[0] == "5. Возврат товара"
    assert item.parents[-1].startswith("5.3")   # the sentence that introduced the list
    assert "Товар надлежащего качества принимается к возврату" in item.parents[-1]
    assert got[("2", "2.2", "1)")].citation == "Оферта «Полки», п. 2.2, подп. 1"
    assert got[("1", "1.2", "1.2.2")].citation == "Оферта «Полки», п. 1.2.2"
    assert got[("1", "1.2", "1.2.2")].id == "offer:1.2.2"
    assert got[("3",)].citation == "Оферта «Полки», п. 3"
    orders = [c.order for c in got.values()]
    assert orders == sorted(orders)


# --- cross-references are not units -----------------------------------------------------------------

WRAPPED_TXT = """Правила возврата товаров на площадке «Полка»

1. Общие положения

1.1. Правила применяются ко всем заказам, оформленным на площадке.

1.2. Правила публикуются на сайте площадки.

2. Сроки

2.1. Покупатель может вернуть товар надлежащего качества в течение семи дней.

2.2. Продавец рассматривает заявление о возврате в течение трёх рабочих дней
в соответствии с пунктом
4.2 настоящих Правил и сообщает покупателю о решении через личный кабинет.

3. Возврат денег

3.1. Деньги возвращаются тем же способом, которым был оплачен заказ, в сроки, указанные в пункте
2.1 Правил, если покупатель не выбрал другой способ.

4. Споры

4.1. Споры решаются путём переговоров.

4.2. Если спор не решён за тридцать дней, он передаётся в суд по месту нахождения площадки.
"""


def test_cross_reference_at_the_start_of_a_wrapped_line_opens_no_clause(tmp_path):
    clauses = segment(load_document(write(tmp_path, "returns.txt", WRAPPED_TXT)), doc="returns", version="1", short="Правила")
    got = by_path(clauses)
    assert set(got) - {("Преамбула",)} == {
        ("1",), ("1", "1.1"), ("1", "1.2"), ("2",), ("2", "2.1"), ("2", "2.2"),
        ("3",), ("3", "3.1"), ("4",), ("4", "4.1"), ("4", "4.2"),
    }
    assert not [c.path for c in clauses if any("~" in label for label in c.path)]
    text = " ".join(got[("2", "2.2")].text.split())
    assert "в соответствии с пунктом 4.2 настоящих Правил и сообщает покупателю" in text
    assert " ".join(got[("3", "3.1")].text.split()).endswith("указанные в пункте 2.1 Правил, если покупатель не выбрал другой способ.")
    assert got[("4", "4.2")].text.startswith("Если спор не решён")


def test_implausible_number_after_a_full_stop_is_text_not_a_unit(tmp_path):
    """«1.1.» right after 2.2 is a reference that happens to open a paragraph, not point 1.1 again."""
    text = "\n\n".join([
        "Правила компенсаций площадки «Полка»",
        "1. Общие положения",
        "1.1. Площадка компенсирует продавцу утраченные отправления.",
        "2. Размер компенсации",
        "2.1. Компенсация равна цене товара в заказе.",
        "2.2. Компенсация выплачивается в порядке, указанном в разделе 1 и в пункте",
        "1.1. Правил, на счёт продавца.",
        "2.3. Площадка сообщает о выплате в личном кабинете.",
    ])
    got = by_path(segment(load_document(write(tmp_path, "comp.txt", text)), doc="comp", version="1"))
    assert set(got) - {("Преамбула",)} == {("1",), ("1", "1.1"), ("2",), ("2", "2.1"), ("2", "2.2"), ("2", "2.3")}
    assert "1.1. Правил, на счёт продавца." in got[("2", "2.2")].text
    assert got[("1", "1.1")].text == "Площадка компенсирует продавцу утраченные отправления."


# --- automatic numbering -----------------------------------------------------------------------------

OL_HTML = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Правила доставки</title>
<script>document.title = "1. не текст правил";</script></head>
<body>
<nav><ol><li>Главная</li><li>Правила</li></ol></nav>
<h1>Правила доставки заказов</h1>
<ol>
  <li>Общие положения
    <ol>
      <li>Правила определяют порядок доставки заказов покупателям.</li>
      <li>Доставку выполняет площадка или выбранная продавцом служба.</li>
    </ol>
  </li>
  <li>Сроки доставки
    <ol>
      <li>Срок доставки указывается в карточке заказа.</li>
      <li>При задержке площадка уведомляет покупателя <b>одним из способов</b>:
        <ol type="a">
          <li>в личном кабинете;</li>
          <li>по электронной почте.</li>
        </ol>
      </li>
    </ol>
  </li>
  <li>Стоимость доставки
    <ol>
      <li>Стоимость рассчитывается при оформлении заказа.</li>
    </ol>
  </li>
</ol>
</body></html>
"""


def test_html_ordered_lists_get_their_visible_numbers(tmp_path):
    source = load_document(write(tmp_path, "delivery.html", OL_HTML))
    assert source.title == "Правила доставки"
    got = by_path(segment(source, doc="delivery", version="1", short="Правила доставки"))
    assert set(got) == {
        ("1",), ("1", "1.1"), ("1", "1.2"), ("2",), ("2", "2.1"), ("2", "2.2"),
        ("2", "2.2", "a)"), ("2", "2.2", "b)"), ("3",), ("3", "3.1"),
    }
    assert got[("2",)].title == "Сроки доставки"
    assert got[("2", "2.2")].text.startswith("При задержке площадка уведомляет покупателя одним из способов")
    assert got[("2", "2.2", "b)")].text == "по электронной почте."
    assert got[("2", "2.2", "a)")].citation == "Правила доставки, п. 2.2, подп. «a»"
    assert got[("3", "3.1")].citation == "Правила доставки, п. 3.1"
    assert not any("Главная" in c.text or "не текст правил" in c.text for c in got.values())


def test_html_inline_markup_does_not_add_spaces(tmp_path):
    markup = """<html><body><h1>Правила</h1>
      <p>1.1. Возврат оформляется в соответствии с <a href="#p42">пунктом 4.2</a>, а спорные случаи решает <b>Про</b>давец.</p>
    </body></html>"""
    got = by_path(segment(load_document(write(tmp_path, "inline.html", markup)), doc="i", version="1"))
    assert got[("1.1",)].text == "Возврат оформляется в соответствии с пунктом 4.2, а спорные случаи решает Продавец."


def test_html_list_item_starting_with_a_number_keeps_its_label(tmp_path):
    markup = """<html><body><h1>Возврат</h1><ol>
      <li>Покупатель может вернуть товар надлежащего качества.</li>
      <li>14 дней — срок, в течение которого принимается возврат.</li>
      <li>Деньги возвращаются в течение десяти дней.</li>
    </ol></body></html>"""
    got = by_path(segment(load_document(write(tmp_path, "r.html", markup)), doc="r", version="1"))
    assert set(got) == {("1",), ("2",), ("3",)}
    assert got[("2",)].text.startswith("14 дней")


def test_docx_automatic_numbering_matches_typed_numbers(tmp_path):
    typed = cut(tmp_path, OFFER, "docx", name="typed")
    auto_path, numbering = to_docx(OFFER, tmp_path / "auto.docx", auto_numbering=True)
    assert "1.2.1." in numbering.auto and "2)" in numbering.auto
    # «1.2.2 Заказ» has no final dot: it is not auto-numbered and stays typed
    assert "1.2.2" not in numbering.auto
    auto = segment(load_document(auto_path), doc="typed", version="1", short="Оферта")
    assert [(c.path, c.title, c.text) for c in auto] == [(c.path, c.title, c.text) for c in typed]


# --- documents without numbers, in English, without any structure -------------------------------------

HEADINGS_MD = """# Памятка продавца

## Доставка

Отправление передаётся в пункт приёма в день сборки заказа.

Если пункт приёма закрыт, отправление передаётся на следующий рабочий день.

## Возврат

### Товар надлежащего качества

Покупатель может вернуть такой товар в течение семи дней.

### Товар с недостатком

Продавец рассматривает претензию в течение десяти дней.
"""


def test_markdown_headings_are_clauses_when_nothing_is_numbered(tmp_path):
    source = load_document(write(tmp_path, "memo.md", HEADINGS_MD))
    assert source.title == "Памятка продавца"
    clauses = segment(source, doc="memo", version="1", short="Памятка")
    got = by_path(clauses)
    assert [c.path for c in clauses] == [
        ("Доставка",), ("Возврат",), ("Товар надлежащего качества",), ("Товар с недостатком",),
    ]
    assert got[("Доставка",)].text == (
        "Отправление передаётся в пункт приёма в день сборки заказа.\n"
        "Если пункт приёма закрыт, отправление передаётся на следующий рабочий день."
    )
    assert got[("Доставка",)].citation == "Памятка, «Доставка»"
    assert got[("Товар с недостатком",)].parents == ("Возврат",)
    assert got[("Товар с недостатком",)].text == "Продавец рассматривает претензию в течение десяти дней."
    assert len({c.id for c in clauses}) == 4 and all(c.id.startswith("memo:") for c in clauses)


ENGLISH = [
    (1, "Seller Terms of the Polka Marketplace"),
    (2, "Article 4. Listings"),
    (None, "1. The seller publishes listings in the seller account."),
    (None, "2. The marketplace may hide a listing that breaks these terms."),
    (2, "Article 5. Returns"),
    (None, "1. The buyer may return goods of proper quality within seven days of receipt."),
    (None, "1.1. The goods must keep their original packaging."),
    (None, "1.2 The buyer keeps the receipt or another proof of purchase."),
    (None, "2. Refunds are paid:"),
    (None, "a) to the card used for payment;"),
    (None, "b) to the marketplace wallet, if the buyer asks for it."),
]


@pytest.mark.parametrize("fmt", ["md", "docx", "html"])
def test_english_document_gets_english_citations(tmp_path, fmt):
    got = by_path(cut(tmp_path, ENGLISH, fmt, short="Seller Terms", name="terms"))
    assert set(got) == {
        ("Article 4",), ("Article 4", "1"), ("Article 4", "2"),
        ("Article 5",), ("Article 5", "1"), ("Article 5", "1", "1.1"), ("Article 5", "1", "1.2"),
        ("Article 5", "2"), ("Article 5", "2", "a)"), ("Article 5", "2", "b)"),
    }
    assert got[("Article 5",)].title == "Returns"
    assert got[("Article 5",)].citation == "Seller Terms, Art. 5"
    assert got[("Article 5", "1", "1.1")].citation == "Seller Terms, Art. 5, cl. 1.1"
    assert got[("Article 5", "1", "1.2")].citation == "Seller Terms, Art. 5, cl. 1.2"
    assert got[("Article 4", "2")].citation == "Seller Terms, Art. 4, cl. 2"
    assert got[("Article 5", "2", "b)")].citation == "Seller Terms, Art. 5, cl. 2, item (b)"
    assert got[("Article 5", "1", "1.1")].id == "terms:ст5/1.1"


def test_text_without_numbering_is_refused(tmp_path):
    path = write(tmp_path, "letter.txt", (
        "Здравствуйте!\n\nСпасибо за обращение. Мы передали ваш вопрос продавцу.\n\n"
        "Ответ придёт в течение трёх дней.\n"
    ))
    with pytest.raises(IngestError, match="no recognisable numbering") as info:
        segment(load_document(path), doc="letter", version="1")
    assert str(path) in str(info.value)
    assert info.value.fix   # tells the user what to do


# --- PDF: minimal reproductions of the bugs the law tests found ----------------------------------------

needs_font = pytest.mark.skipif(find_font() is None, reason="PDF tests need DejaVuSans.ttf under /usr/share/fonts")

LONG_POINT = [
    (1, "Правила площадки «Полка»"),
    (None, "1. Общие положения"),
    (None, "1.1. Правила применяются ко всем заказам."),
    (None, "2. Продавец передаёт отправление в пункт приёма не позднее срока, указанного в карточке заказа, "
           "а если срок не указан, то в течение двух рабочих дней после оформления заказа покупателем."),
    (None, "3. Площадка возвращает деньги покупателю."),
]


@needs_font
def test_pdf_short_section_titles_and_points(tmp_path):
    path = tmp_path / "rules.pdf"
    layout = to_pdf(LONG_POINT, path, header=None, footer=False, hyphenate=False)
    assert layout.pages == 1
    got = by_path(segment(load_document(path), doc="r", version="1"))
    assert set(got) - {("Преамбула",)} == {("1",), ("1", "1.1"), ("2",), ("3",)}   # a PDF has no markup title
    assert got[("1",)].title == "Общие положения"
    assert got[("3",)].text == "Площадка возвращает деньги покупателю."


@needs_font
def test_pdf_first_line_of_a_long_point_is_text_not_title(tmp_path):
    path = tmp_path / "rules.pdf"
    to_pdf(LONG_POINT, path, header=None, footer=False, hyphenate=False)
    got = by_path(segment(load_document(path), doc="r", version="1"))
    assert got[("2",)].title == ""
    assert got[("2",)].text.startswith("Продавец передаёт отправление в пункт приёма")


@needs_font
def test_pdf_point_after_a_wrapped_article_title(tmp_path):
    paras = [
        (1, "Правила площадки «Полка»"),
        (2, "Статья 5. Права и обязанности продавца при продаже товаров дистанционным способом через площадку "
            "и при доставке заказов покупателям"),
        (None, "1. Продавец обязан передать товар."),
        (None, "2. Продавец вправе отказать в заказе."),
    ]
    path = tmp_path / "rules.pdf"
    to_pdf(paras, path, header=None, footer=False, hyphenate=False)
    got = by_path(segment(load_document(path), doc="r", version="1"))
    assert ("Статья 5", "1") in got


@needs_font
def test_pdf_chapter_after_a_title_ending_in_a_parenthesis(tmp_path):
    paras = [
        (1, "Правила площадки «Полка» (редакция 2)"),
        (2, "Глава 1. Общие положения"),
        (3, "Статья 1. Предмет правил"),
        (None, "1. Правила определяют порядок продажи товаров."),
    ]
    path = tmp_path / "rules.pdf"
    to_pdf(paras, path, header=None, footer=False, hyphenate=False)
    got = by_path(segment(load_document(path), doc="r", version="1"))
    assert {("Глава 1",), ("Статья 1",), ("Статья 1", "1")} <= set(got)

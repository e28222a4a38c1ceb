"""Tables as stacked cards: the class and each body cell's column header."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from tandem.core.cards import label_cells

TABLE = """<table class="data"><caption>Clients</caption>
<thead><tr><th scope="col">Client</th><th scope="col">Days &amp; weeks</th><th></th></tr></thead>
<tbody><tr><th scope="row"><a href="/c/1/">Ana</a></th><td class="num">12</td>
<td><button>Go</button></td></tr></tbody>
</table>"""


def test_the_table_gets_the_cards_class_beside_its_own() -> None:
    assert '<table class="data cards">' in label_cells(TABLE)


def test_a_table_without_a_class_gets_one() -> None:
    assert label_cells("<table><tr><td>1</td></tr></table>").startswith('<table class="cards">')


def test_each_body_cell_carries_its_column_header() -> None:
    html = label_cells(TABLE)
    assert '<th scope="row" data-label="Client">' in html
    assert '<td class="num" data-label="Days &amp; weeks">12</td>' in html


def test_a_column_without_a_header_gives_no_label() -> None:
    assert "<td><button>Go</button></td>" in label_cells(TABLE)


def test_the_rest_of_the_markup_is_unchanged() -> None:
    html = label_cells(TABLE)
    assert html.replace(' data-label="Client"', "").replace(
        ' data-label="Days &amp; weeks"', ""
    ) == TABLE.replace('class="data"', 'class="data cards"')


def test_a_sentence_spanning_the_row_gets_no_label() -> None:
    html = label_cells(
        "<table><thead><tr><th>A</th><th>B</th></tr></thead>"
        '<tbody><tr><td colspan="2">Nothing yet.</td></tr></tbody></table>'
    )
    assert '<td colspan="2">Nothing yet.</td>' in html


def test_a_header_spanning_columns_labels_each_of_them_and_spans_add_up() -> None:
    html = label_cells(
        '<table><thead><tr><th colspan="2">Score</th><th>When</th></tr></thead>'
        "<tbody><tr><td>1</td><td>2</td><td>today</td></tr>"
        '<tr><td colspan="2">3</td><td>later</td></tr></tbody></table>'
    )
    assert html.count('data-label="Score"') == 3
    assert html.count('data-label="When"') == 2


def test_a_nested_table_is_labelled_from_its_own_headers() -> None:
    html = label_cells(
        "<table><thead><tr><th>Outer</th></tr></thead><tbody><tr><td>"
        "<table><thead><tr><th>Inner</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>"
        "</td></tr><tr><td>y</td></tr></tbody></table>"
    )
    assert '<td data-label="Inner">x</td>' in html
    assert '<td data-label="Outer">y</td>' in html
    assert html.count('class="cards"') == 2


def test_a_label_written_by_hand_is_kept() -> None:
    html = label_cells(
        '<table><thead><tr><th>A</th></tr></thead><tbody><tr><td data-label="Own">1</td></tr>'
        "</tbody></table>"
    )
    assert html.count("data-label") == 1


def test_header_markup_and_spaces_do_not_reach_the_label() -> None:
    html = label_cells(
        '<table><thead><tr><th>Days <abbr title="x">in</abbr>\n   episode</th></tr></thead>'
        "<tbody><tr><td>4</td></tr></tbody></table>"
    )
    assert 'data-label="Days in episode"' in html


def test_the_template_tag_wraps_rendered_rows() -> None:
    template = Template(
        "{% load cards %}{% cards %}<table><thead><tr><th>Name</th></tr></thead><tbody>"
        "{% for n in names %}<tr><td>{{ n }}</td></tr>{% endfor %}</tbody></table>{% endcards %}"
    )
    html = template.render(Context({"names": ["<b>", "Zoé"]}))
    assert '<td data-label="Name">&lt;b&gt;</td>' in html
    assert '<td data-label="Name">Zoé</td>' in html


def test_the_template_tag_takes_no_arguments() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load cards %}{% cards wide %}{% endcards %}")

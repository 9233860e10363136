from benchmarks.dataset import parse_markup


def test_markup_offsets_point_at_the_surface_text():
    text, spans = parse_markup("[建行](bank)[李村支行](outlet)的柜员在[李沧](district)")
    assert text == "建行李村支行的柜员在李沧"
    assert [(text[s.start:s.end], s.entity) for s in spans] == [
        ("建行", "bank"), ("李村支行", "outlet"), ("李沧", "district")]


def test_plain_text_has_no_spans():
    assert parse_markup("社保卡丢了咋办") == ("社保卡丢了咋办", ())

"""Prompts of the vision stages (no model needed): detector nouns, the query's actor / verb /
action decomposition, contrast actors."""
import pytest

from svag.language.parser import parse_queries
from svag.vision.prompts import GENERIC_NEGATIVES, actor_phrase, actor_prompts, contrast_prompts, query_prompts


def _q(*texts):
    return parse_queries(list(texts), embedder=False)


@pytest.mark.parametrize("text, phrase", [
    ("a red person walks to the left", "red person"),
    ("the brown dog runs", "brown dog"),
    ("a woman in black glances left", "woman in black"),
    ("a tall man in a white shirt runs", "tall man in a white shirt"),
    ("a car slows down behind another car", "car"),
])
def test_actor_phrase(text, phrase):
    assert actor_phrase(_q(text)[0]) == phrase


def test_detector_prompts_are_the_queries_actor_nouns():
    assert actor_prompts(_q("a dog runs", "a man walks left", "the brown dog stops", "a car drives")) == \
        ("dog", "person", "car")
    assert actor_prompts([]) == ("person",)


def test_query_prompts_split_actor_verb_action():
    p = query_prompts(_q("a red person walks to the left")[0])
    assert p == {"actor": "a photo of a red person", "verb": "a photo of a person that walks to the left",
                 "action": "a photo of a red person walks to the left"}


def test_contrasts_exclude_actors_that_may_be_the_same():
    qs = _q("a red person walks left", "a person stops", "the blue person runs", "a brown dog runs",
            "a tall red person waits")
    red = contrast_prompts(qs[0], qs)
    assert red[:2] == ("a photo of a blue person", "a photo of a brown dog")
    assert "a photo of a person" not in red and "a photo of a tall red person" not in red
    assert red[-len(GENERIC_NEGATIVES):] == GENERIC_NEGATIVES
    assert contrast_prompts(qs[1], qs)[0] == "a photo of a brown dog"       # any person may be "a person"
    # the same actor in the lexicon's other basic colours; a synonym counts as the colour it names
    assert "a photo of a blue person" in red and "a photo of a grey person" in red and "a photo of a red person" not in red
    gray, navy = _q("a gray car stops", "a navy car stops")
    assert not [p for p in contrast_prompts(gray, [gray]) if "grey" in p or "gray" in p]
    assert "a photo of a blue car" not in contrast_prompts(navy, [navy]) and "a photo of a red car" in contrast_prompts(navy, [navy])


def test_open_vocabulary_detectors_take_query_texts_through_set_prompts():
    """The pipeline's prompt path (no model is loaded: prompts are read before reset)."""
    from svag.detect import build_detector
    from svag.run.scene import detector_takes_prompts
    assert detector_takes_prompts("owlv2") and not detector_takes_prompts("motion")
    det = build_detector("owlv2", model="unused")
    det.set_prompts(["a red person walks to the right", "a brown dog runs", "the man stops"])
    assert tuple(det.prompts) == ("person", "dog")
    fixed = build_detector("grounding-dino", model="unused", prompts=("car",))
    fixed.set_prompts(["a dog runs"])
    assert tuple(fixed.prompts) == ("car",)

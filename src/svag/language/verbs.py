"""Verbs and action nouns the rules know, by *kind* (the handler in :mod:`svag.language.rules`).

Base forms; the tokenizer lemmatizes against these lists. A verb's kind is its usual reading; the
rules may change it after looking at the object ("moves her jacket" is handling, not motion).
"""
from __future__ import annotations


def _kinds(**groups: str) -> dict[str, str]:
    return {w: kind for kind, words in groups.items() for w in words.split()}


VERBS: dict[str, str] = _kinds(
    walk="walk stroll step trot march wander stride amble saunter tread limp hobble tiptoe",
    run="run speed sprint dash rush jog race hurry gallop flee bolt charge scurry scamper romp frolic",
    move="move shift go head proceed travel advance drift navigate swim fly glide cruise ride cycle drive "
         "come arrive return retreat roll steer sail crawl slide soar maneuver manoeuvre progress "
         "reach depart continue relocate migrate commute hover levitate launch pace",
    cross="cross traverse",
    climb="climb ascend mount",
    descend="descend",
    fall="fall tumble collapse sink slip plunge crash",
    land="land alight",
    enter="enter access",
    exit="exit leave",
    appear="appear emerge reappear arise surface",
    disappear="disappear vanish hide fade",
    occluded="obscure block cover occlude obstruct conceal",
    stop="stop halt cease pause freeze brake quit finish",
    start="start begin commence resume",
    state="stand stay remain wait rest sit lie linger idle await queue loiter hang seated park perch "
          "sleep nap doze relax lounge bask sunbathe display "
          "station position locate situate",
    keep="keep",
    lean="lean",
    turn="turn pivot rotate spin swivel twist veer swerve reverse retrace straighten curve",
    change="change alter",
    look="look glance gaze peer stare watch observe see scan survey peek peep check notice search "
         "seek examine inspect investigate explore sniff smell",
    face="face",
    interact="talk chat converse speak gossip discuss greet hug embrace kiss tap interact call command "
             "communicate meet play help ask guide instruct argue shout sing dance cuddle groom "
             "accompany join buy shop order pay inquire enquire provide inform explain",
    fight="fight battle wrestle tussle spar clash struggle attack assault strike peck jab shove knock "
          "nip bump collide pounce harass bother annoy disturb dominate overpower outmatch kick nudge "
          "scuffle contend combat tackle bully threaten slap punch hit ram butt flip",
    chase="chase pursue",
    gesture="touch show stick poke wave point gesture signal scratch rub nod tilt adjust arrange fix clasp "
            "indicate extend stretch shake bend flick wipe fold clap salute bow shrug yawn tidy comb style "
            "correct spread direct present outstretch rearrange reposition flap",
    raise_="raise lift lower",
    handle="carry hold drink sip use text photograph record film throw toss discard dispose place pick "
           "grab seize grasp grip clutch switch swap transfer wear dismount smoke read open close "
           "retrieve catch fetch collect gather operate type scroll unzip zip tie receive accept "
           "offer deliver stow tuck secure strap drag pull push lead bring take put set drop give "
           "remove sling drape dress introduce hand utilize utilise load unload fetch work dig",
    eat="eat feed graze nibble munch chew consume bite lick devour gnaw swallow lap",
    sit="sit_down crouch squat kneel recline",
    rise="rise rear",
    jump="jump leap hop bounce vault",
    circle="circle loop orbit",
    speed_up="accelerate quicken hasten",
    slow_down="decelerate slow reduce decrease",
    approach="approach",
    follow="follow trail tail",
    pass_="pass overtake surpass outpace",
    escape="escape dodge evade",
    light="make have get do engage perform",
    refrain="refrain abstain refuse avoid",
    be="become try attempt prepare plan intend want seem",
)

# nouns that carry the action of a light verb ("takes a left turn", "has a conversation")
NOUN_ACTIONS: dict[str, str] = _kinds(
    turn="turn", turn_around="u_turn", walk="step stroll walk", stop="halt stop pause break",
    look="look glance peek", eat="drink sip bite", fight_="tussle scuffle brawl wrestle spar struggle attack",
    interact="conversation chat discussion talk hug handshake call interaction tap pat attention kiss",
    jump="leap jump", sit="seat", handle="picture photo video selfie", fight="fight battle combat",
    gesture="dance adjustment gesture wave nod", interact_="high_five contact information greeting",
)
# adjectives after "is", "remains", "becomes"
ADJECTIVES: dict[str, str] = _kinds(
    state="still stationary motionless immobile static idle seated parked stationed positioned located "
          "situated",
    occluded="hidden lost gone invisible obscured",
    visible="visible",
)
# aspect verbs that govern the next verb: "starts walking", "stops drinking", "refrains from walking"
ASPECTS = {"start": "start", "begin": "start", "commence": "start", "resume": "start", "stop": "stop",
           "cease": "stop", "halt": "stop", "pause": "stop", "quit": "stop", "finish": "stop",
           "keep": "keep", "continue": "keep", "remain": "keep", "stay": "keep", "refrain": "neg",
           "abstain": "neg", "avoid": "neg", "refuse": "neg", "try": "keep", "attempt": "keep",
           "prepare": "keep", "plan": "keep", "intend": "keep", "want": "keep", "slow": "slow",
           "reduce": "slow", "decrease": "slow", "go": "keep", "seem": "keep"}
EXTRA_WORDS = frozenset(ADJECTIVES) | frozenset({"faster", "slower", "slowly", "quickly", "surrounding",
                                                 "backward", "forward", "upward", "downward", "sideway",
                                                 "toward", "afterward", "pace", "speed", "attention",
                                                 "participation", "dominance", "intention", "not", "no",
                                                 "never", "rather", "instead", "without", "longer"})

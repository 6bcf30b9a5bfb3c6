"""The query language as data: vocabularies and pattern -> predicate tables, in one place.

Everything the query parser (:mod:`svag.language`) knows about words is here, and the grounders
read the same tables (the kinematic grounder's category priors, :mod:`svag.ground.categories`,
:mod:`svag.ground.appearance`'s colour names, the vision prompts): one vehicle list, one animal
list, one colour list. The parser's modules hold only the matchers that read these tables.

Plain data, no logic. Words are lower case; verbs and nouns are given in their base form (the
tokenizer lemmatizes "walking" -> "walk", "birds" -> "bird" against these lists); several-word
terms are written with "_" ("zebra_crossing") and joined by the tokenizer (:data:`MULTIWORDS`).

Sections: the actor (categories, groups, counts, colours, clothing); places and things;
directions; verbs by kind (:data:`VERBS`: the kind picks the handler in
:mod:`svag.language.rules`); connectives; modifier patterns (:data:`MODIFIER_PATTERNS`: what the
words after a verb say); relations to other actors; kind overrides; function words.
How to add a verb, a direction or a phrase: docs/grounding.md, "The query language as data".
"""
from __future__ import annotations

from typing import NamedTuple

# -- the actor ------------------------------------------------------------------------------------

# word -> (category, attribute kept besides it or None)
CATEGORIES: dict[str, tuple[str, str | None]] = {
    **{w: ("person", None) for w in ("person", "pedestrian", "individual", "human", "someone", "somebody",
                                     "people", "persons", "passerby", "walker")},
    **{w: ("person", w) for w in ("man", "woman", "child", "boy", "girl", "baby", "kid", "lady", "guy",
                                  "gentleman", "toddler", "teenager", "mother", "father", "worker",
                                  "waiter", "guard", "runner", "horseman", "rider", "biker", "cyclist",
                                  "skater", "player", "handler", "owner", "trainer", "keeper", "driver",
                                  "officer", "policeman", "jogger", "shopper", "tourist", "student",
                                  "mannequin")},
    "men": ("person", "man"), "women": ("person", "woman"), "children": ("person", "child"),
    "kids": ("person", "kid"), "ladies": ("person", "lady"),
    **{w: ("bicycle", None) for w in ("bicycle", "bike", "cycle")},
    **{w: ("motorcycle", None) for w in ("motorcycle", "motorbike", "scooter", "moped")},
    "car": ("car", None), "taxi": ("car", "taxi"), "suv": ("car", "suv"), "jeep": ("car", "jeep"),
    "minivan": ("van", None), "pickup": ("truck", "pickup"), "lorry": ("truck", None),
    "ambulance": ("vehicle", "ambulance"), "skateboard": ("skateboard", None), "bus": ("bus", None), "truck": ("truck", None),
    "van": ("van", None), "vehicle": ("vehicle", None), "train": ("train", None), "tram": ("tram", None),
    **{w: ("airplane", None) for w in ("airplane", "plane", "aeroplane", "aircraft", "jet")},
    **{w: ("boat", None) for w in ("boat", "ship", "yacht", "canoe", "kayak", "sailboat")},
    **{w: ("stroller", None) for w in ("stroller", "baby_stroller", "pram", "baby_carriage", "buggy")},
    **{w: ("cart", None) for w in ("cart", "trolley", "trolly")},
    "wheelchair": ("wheelchair", None),
    # animals (the OVIS categories and their common names)
    "dog": ("dog", None), "puppy": ("dog", "puppy"), "cat": ("cat", None), "kitten": ("cat", "kitten"),
    "horse": ("horse", None), "pony": ("horse", "pony"), "bird": ("bird", None), "parrot": ("parrot", None),
    "fish": ("fish", None), "sheep": ("sheep", None), "lamb": ("sheep", "lamb"), "goat": ("goat", None),
    "cow": ("cow", None), "bull": ("cow", "bull"), "calf": ("cow", "calf"), "zebra": ("zebra", None),
    "elephant": ("elephant", None), "giraffe": ("giraffe", None), "bear": ("bear", None),
    "panda": ("panda", None), "giant_panda": ("panda", None), "tiger": ("tiger", None), "lion": ("lion", None),
    "lizard": ("lizard", None), "turtle": ("turtle", None), "tortoise": ("turtle", "tortoise"),
    "monkey": ("monkey", None), "ape": ("monkey", "ape"), "rabbit": ("rabbit", None), "bunny": ("rabbit", None),
    "chicken": ("poultry", "chicken"), "hen": ("poultry", "hen"), "duck": ("poultry", "duck"),
    "goose": ("poultry", "goose"), "rooster": ("poultry", "rooster"), "poultry": ("poultry", None),
    "deer": ("deer", None), "mouse": ("mouse", None), "squirrel": ("squirrel", None),
    **{w: ("bird", w) for w in ("pigeon", "sparrow", "crow", "seagull", "gull", "owl", "eagle", "swan",
                                "penguin", "peacock", "ostrich", "flamingo")},
    **{w: (w, None) for w in ("pig", "rat", "fox", "wolf", "camel", "kangaroo", "seal", "dolphin", "shark",
                              "frog", "snake", "crocodile", "alligator", "leopard", "cheetah", "hippo",
                              "rhino", "donkey", "llama", "hamster", "koala", "otter")},
    "animal": ("animal", None),
}

# Category groups over the canonical categories CATEGORIES gives (the one place: the parser and the
# kinematic grounder both read them).
VEHICLES = frozenset({"bicycle", "motorcycle", "car", "bus", "truck", "van", "vehicle", "boat", "stroller",
                      "cart", "wheelchair", "airplane", "train", "tram"})
TWO_WHEELERS = frozenset({"bicycle", "motorcycle"})
# vehicles whose boxes are wider than tall (the kinematic grounder's aspect-ratio prior)
BOXY_VEHICLES = VEHICLES - TWO_WHEELERS - {"stroller", "cart", "wheelchair", "airplane"}
PEOPLE = frozenset({"person"} | {w for w, (c, _) in CATEGORIES.items() if c == "person"})
# the animal categories (canonical names CATEGORIES gives)
ANIMALS = frozenset({c for c, _ in CATEGORIES.values()} - {"person", "skateboard"} - VEHICLES)
# word -> coarse group ("person", "vehicle"; anything else is "other"): query categories and detector
# labels are compared through it (svag.ground.categories)
CATEGORY_GROUPS: dict[str, str] = {
    **{w: "person" for w in PEOPLE},
    **{w: "vehicle" for w, (c, _) in CATEGORIES.items() if c in VEHICLES},
    **{w: "vehicle" for w in VEHICLES},
}
# seen as a person, a vehicle or an object depending on the detector: never excluded by category
AMBIGUOUS_CATEGORIES = frozenset({"bicycle", "bike", "cyclist", "motorcycle", "motorbike", "scooter", "wheelchair",
                                  "stroller", "skateboard", "cart"})

# words naming some other actor (besides CATEGORIES): "another", "the others", "a group"
ACTOR_WORDS = frozenset({"other", "another", "others", "group", "crowd", "friend", "companion", "partner",
                         "master", "couple", "each", "family", "colleague", "stranger"})

COUNTS: dict[str, str] = {
    "one": "one", "single": "one", "two": "two", "three": "three", "four": "four", "five": "five",
    "both": "two", "several": "several", "some": "several", "many": "many", "multiple": "several",
    "all": "all", "every": "all", "group": "group", "pair": "two", "couple": "two",
}

# the colour names a track's pixels are binned into (svag.ground.appearance), and the colour words
# that mean one of them
BASIC_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "grey")
COLOUR_SYNONYMS: dict[str, str] = {
    "gray": "grey", "dark": "black", "light": "white", "silver": "grey", "golden": "yellow", "violet": "purple",
    "navy": "blue", "beige": "brown", "tan": "brown", "cyan": "blue", "crimson": "red"}


def basic_colour(word: str) -> str:
    """The basic colour a colour word names ("gray" -> "grey", "navy" -> "blue"); other words as given."""
    return COLOUR_SYNONYMS.get(word, word)


# every colour word the parser keeps as an attribute of the actor
COLOURS = frozenset(BASIC_COLOURS) | frozenset(COLOUR_SYNONYMS) | frozenset({
    "maroon", "cream", "khaki", "colored", "coloured", "colorful", "colourful"})
# visual adjectives kept as attributes of the actor
VISUAL = frozenset({"striped", "spotted", "little", "small", "big", "large", "tall", "short", "young", "old",
                    "elderly", "bald", "fat", "thin", "blond", "blonde", "long", "sleeve", "plaid", "checked",
                    "bearded", "tiny", "huge", "adult", "stationary", "long_sleeve", "crossbody", "zip_up",
                    "short_sleeve", "sleeveless", "hooded", "curly", "grey_haired", "white_haired"})
CLOTHING = frozenset({"shirt", "t_shirt", "tshirt", "jacket", "coat", "dress", "skirt", "jeans", "pant",
                      "trousers", "shorts", "sweater", "hoodie", "jumper", "hat", "cap", "helmet", "scarf",
                      "suit", "uniform", "attire", "clothing", "clothes", "outfit", "top", "waistcoat",
                      "vest", "polo", "sunglasses", "glasses", "mask", "shoe", "boot", "backpack", "bag",
                      "handbag", "umbrella", "hijab", "headscarf", "cloak", "blouse", "cardigan", "sleeve"})

# -- places and things --------------------------------------------------------------------------

# the image itself: "enters the frame", "out of view"
FRAME_WORDS = frozenset({"frame", "view", "sight", "shot", "scene", "screen", "picture", "image", "camera_view"})
# places one goes into or comes out of ("enters a building" is not "enters the frame")
INDOOR = frozenset({"building", "store", "shop", "mall", "food_court", "showroom", "supermarket", "entrance", "door",
                    "house", "room", "restaurant", "cafe", "station", "office", "hotel", "bank", "gate",
                    "container", "car", "bus", "tunnel", "cage", "hole", "water", "pool"})
LANDMARKS = frozenset({
    "street", "road", "sidewalk", "footpath", "pavement", "roadside", "zebra_crossing",
    "crosswalk", "path", "pathway", "lane", "square", "plaza", "area", "space", "field", "court", "park",
    "column", "pillar", "wall", "structure", "box", "booth", "sign", "sign_board", "signboard", "board",
    "traffic_signal", "traffic_light", "signal", "light", "lamppost", "lamp_post", "pole", "post", "cone",
    "traffic_cone", "barrier", "road_barrier", "bench", "chair", "seat", "counter", "window", "table",
    "tree", "stone", "rock", "ground", "floor", "fence", "railing", "bar", "cage", "perch", "perch_stand",
    "stand", "bowl", "food_bowl", "container", "food_container", "grass", "water", "pool", "sea", "river",
    "lake", "aquarium", "tank", "sky", "air", "runway", "platform", "edge", "corner", "middle", "center",
    "centre", "bin", "trash", "trash_can", "flower", "plant", "bush", "shadow", "surface", "bed", "sheet",
    "bed_sheet", "mannequin", "exhibition", "product", "display", "stairs", "staircase", "step", "bridge",
    "building", "store", "shop", "mall", "showroom", "supermarket", "entrance", "door", "house", "gate",
    "car", "bus", "bike", "bicycle", "vehicle", "boat", "yellow_object", "object", "item", "thing",
    "race", "sideline", "line", "queue", "jaw", "cloth", "person_with_cloth", "camera", "construction",
    "site", "roadwork", "electronics", "window", "tire", "rope", "ice", "snow", "mud", "sand", "beach",
    "shore", "stage", "track", "goal", "net", "hill", "mountain", "hall", "market", "kiosk", "stall",
    "parking", "lot", "spot", "place", "distance", "background",
    "foreground", "railway", "crowd", "group", "shade", "sun", "tunnel", "side", "inside", "outside",
    "height", "floor", "ceiling", "roof", "log", "branch", "crossing", "fountain", "puddle", "sofa", "couch",
    "carpet", "rug", "fence_post", "hedge", "garden", "lawn", "yard", "pond", "stream", "bank", "dock", "pier",
    "hole", "burrow", "nest", "rail", "doorway", "corridor", "hallway", "intersection", "junction",
    "corner", "traffic", "trees", "vegetation", "leaves", "cliff", "slope", "trail", "ramp", "post_box",
    "car_park", "parking_lot", "bus_stop", "stop_sign", "bicycle_rack", "wheel", "wood", "construction",
})
# adjectives and materials of places ("the wooden boxes", "the main street")
PLACE_MODIFIERS = frozenset({"main", "open", "wooden", "metal", "steel", "plastic", "glass", "concrete",
                             "rectangular", "round", "standing", "tall", "high", "low", "elevated", "empty",
                             "busy", "narrow", "wide", "same", "different", "opposite", "nearby", "parked",
                             "front", "back", "far", "near", "upper", "lower", "traffic", "rear", "hind",
                             "circular", "electronics", "current", "new", "other", "primary", "cold", "hot",
                             "zip", "wet", "dry", "green_signal", "security"})
# abstract nouns a verb may take ("reduces his pace", "alters its course")
ABSTRACT = frozenset({"speed", "pace", "course", "movement", "motion", "path", "route", "direction", "way",
                      "position", "posture", "stance", "balance", "attention", "gaze", "stride", "job"})
BODY_PARTS = frozenset({"hand", "arm", "head", "face", "finger", "thumb", "shoulder", "leg", "foot", "feet",
                        "nose", "hair", "mouth", "paw", "neck", "tail", "beak", "trunk", "eye", "ear",
                        "body", "forearm", "waist", "stomach", "knee", "hip", "chest", "wing", "lip",
                        "chin", "forehead", "elbow", "backside", "hoof", "fist"})
# things one holds, uses, eats
OBJECTS = frozenset({"phone", "mobile", "mobile_phone", "cellphone", "device", "bag", "handbag", "backpack",
                     "bottle", "cup", "coffee", "jacket", "cloth", "clothing", "sweater", "cap", "hat",
                     "dress", "pant", "shirt", "t_shirt", "basket", "key", "pocket", "cigarette",
                     "toy", "object", "item", "something", "litter", "trash", "flash", "picture", "photo",
                     "video", "umbrella", "book", "paper", "newspaper", "food", "carrot", "leaf", "grass",
                     "ice_cream", "luggage", "suitcase", "stroller", "bike", "bicycle", "camera", "bowl",
                     "drink", "water", "stick", "ball", "scooter", "cart", "trolley", "coat", "scarf",
                     "glasses", "sunglasses", "mask", "card", "wallet", "ticket", "box", "bin", "seat",
                     "belongings", "groceries", "packet", "laptop", "headphones", "yellow_object", "cover",
                     "lid"})
FOOD = frozenset({"food", "carrot", "leaf", "grass", "fruit", "bread", "meat", "seed", "hay", "apple",
                  "ice_cream", "snack", "street_food"})

# -- directions ----------------------------------------------------------------------------------

# side word -> image side; "upper side of the frame" is "top"
SIDE_WORDS: dict[str, str] = {
    "left": "left", "leftward": "left", "leftwards": "left", "right": "right", "rightward": "right",
    "rightwards": "right", "top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom",
    "center": "center", "centre": "center", "middle": "center",
}

# several-word terms joined into one token, longest first
MULTIWORDS: dict[tuple[str, ...], str] = {
    ("baby", "stroller"): "baby_stroller", ("baby", "carriage"): "baby_carriage",
    ("wheel", "chair"): "wheelchair", ("by", "cycle"): "bicycle", ("bi", "cycle"): "bicycle",
    ("giant", "panda"): "giant_panda", ("zebra", "crossing"): "zebra_crossing",
    ("traffic", "signal"): "traffic_signal", ("traffic", "light"): "traffic_light",
    ("traffic", "lights"): "traffic_light", ("traffic", "cones"): "traffic_cone",
    ("traffic", "cone"): "traffic_cone", ("sign", "board"): "sign_board", ("lamp", "post"): "lamp_post",
    ("t", "shirt"): "t_shirt", ("u", "turn"): "u_turn", ("mobile", "phone"): "mobile_phone",
    ("cell", "phone"): "cellphone", ("food", "bowl"): "food_bowl", ("food", "container"): "food_container",
    ("perch", "stand"): "perch_stand", ("bird", "perch", "stand"): "perch_stand", ("bed", "sheet"): "bed_sheet",
    ("trash", "can"): "trash_can", ("ice", "cream"): "ice_cream", ("street", "food"): "street_food",
    ("road", "barrier"): "road_barrier", ("roadside", "barrier"): "road_barrier",
    ("yellow", "object"): "yellow_object", ("camera", "view"): "camera_view",
    ("long", "sleeve"): "long_sleeve", ("each", "other"): "each_other", ("cross", "body"): "crossbody",
    ("zip", "up"): "zip_up",
    ("bus", "stop"): "bus_stop", ("stop", "sign"): "stop_sign", ("car", "park"): "car_park",
    ("parking", "lot"): "parking_lot", ("food", "court"): "food_court", ("short", "sleeve"): "short_sleeve", ("one", "another"): "each_other", ("high", "five"): "high_five",
}

# "-ing" nouns: "the crossing" (a place) but "crossing the street" (a verb)
NOUN_ING = frozenset({"crossing", "parking", "opening", "landing", "clearing", "railing"})

# irregular forms -> base (the regular ones are found by stripping suffixes)
IRREGULAR: dict[str, str] = {
    "ran": "run", "went": "go", "gone": "go", "came": "come", "sat": "sit", "seated": "seated",
    "stood": "stand", "got": "get", "gotten": "get", "took": "take", "taken": "take", "brought": "bring",
    "caught": "catch", "struck": "strike", "held": "hold", "led": "lead", "threw": "throw",
    "thrown": "throw", "rode": "ride", "ridden": "ride", "began": "begin", "begun": "begin", "saw": "see",
    "seen": "see", "drove": "drive", "driven": "drive", "hid": "hide", "hidden": "hidden", "fell": "fall",
    "fallen": "fall", "flew": "fly", "flown": "fly", "lying": "lie", "lay": "lie", "lays": "lie",
    "laid": "lie", "lied": "lie", "worn": "wear", "wore": "wear", "made": "make", "gave": "give",
    "given": "give", "put": "put", "set": "set", "swam": "swim", "leapt": "leap", "dove": "dive",
    "sped": "speed", "spun": "spin", "shook": "shake", "bit": "bit", "bitten": "bite", "rose": "rise",
    "risen": "rise", "stuck": "stick", "fought": "fight", "sought": "seek", "bent": "bend",
    "children": "child", "people": "people", "horsemen": "horseman", "policemen": "policeman",
    "slung": "sling", "dug": "dig", "feet": "foot", "men": "man", "women": "woman",
    "leaves": "leave", "lost": "lost", "has": "have", "had": "have", "is": "be", "are": "be",
    "was": "be", "were": "be", "been": "be", "being": "be", "am": "be", "does": "do", "did": "do",
    "turing": "turn", "isnt": "not", "dont": "not", "doesnt": "not", "cant": "not", "its": "its",
    "gurd": "guard", "trolly": "trolley", "towards": "toward", "forwards": "forward",
    "backwards": "backward", "afterwards": "afterward", "upwards": "upward", "downwards": "downward",
    "sideways": "sideway", "surroundings": "surrounding", "pants": "pant", "sunglasses": "sunglasses",
    "glasses": "glasses", "jeans": "jeans", "shorts": "shorts", "trousers": "trousers", "news": "news",
    "bus": "bus", "others": "other", "always": "always", "perhaps": "perhaps", "this": "this", "thus": "thus",
    "across": "across", "its": "its", "his": "his", "hers": "her", "as": "as", "less": "less",
    "stairs": "stairs", "headphones": "headphones", "belongings": "belongings", "groceries": "groceries",
    "clothes": "clothes", "series": "series", "species": "species", "grass": "grass", "glass": "glass",
    "dress": "dress", "class": "class", "bass": "bass", "press": "press", "process": "process",
    "access": "access", "cross": "cross", "pass": "pass", "lioness": "lioness", "actress": "actress",
}

# -- function words -------------------------------------------------------------------------------

STOP_WORDS = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "its", "his", "her", "their", "my", "your", "our",
    "he", "she", "it", "they", "him", "them", "himself", "herself", "itself", "themselves", "who", "whom",
    "whose", "which", "what", "where", "be", "have", "do", "will", "would", "can", "could", "may", "might",
    "shall", "should", "must", "of", "to", "in", "on", "at", "by", "for", "from", "with", "into", "onto",
    "upon", "within", "and", "or", "but", "so", "than", "then", "while", "as", "when", "whilst", "after",
    "before", "during", "once", "until", "till", "there", "here", "very", "just", "also", "too", "only",
    "even", "about", "'s", "s", "way", "some", "any", "such", "own", "one", "thing", "somewhat", "again",
    "being", "is", "are", "was", "were", "out", "off", "up", "down", "over", "under", "through", "via",
    "toward", "if", "yet", "already", "really", "currently", "now", "whose", "every", "each", "towards",
    "else", "anyone", "anything", "get",
})

# modifiers that are understood but change nothing (or only the parser's confidence)
HEDGES = frozenset({
    "slightly", "slight", "bit", "little", "briefly", "brief", "briefly", "momentarily", "moment",
    "gently", "gradually", "subtly", "subtle", "a_bit", "continuously", "constantly", "consistently",
    "continually", "always", "initially", "first", "firstly", "finally", "eventually", "suddenly",
    "properly", "closely", "carefully", "casually", "calmly", "again", "repeatedly", "once", "twice",
    "while", "time", "times", "second", "seconds", "sometime", "for", "short", "long", "few", "several",
    "couple", "just", "still", "also", "partially", "partly", "almost", "completely",
    "fully", "entirely", "directly", "straight", "immediately", "quickly", "swiftly", "rapidly", "fast",
    "slowly", "slow", "slower", "faster", "quick", "swift", "speedily", "hurriedly", "leisurely",
    "together", "around", "about", "along", "already", "currently", "now", "later", "soon", "longer",
    "plan", "intention", "attempt", "nothing", "outward", "outwards", "wide", "widely",
})


# -- verbs and action nouns by kind -------------------------------------------------------------------
# A verb's kind names its handler in svag.language.rules (HANDLERS); it is the usual reading, and
# KIND_OVERRIDES may change it after looking at the object ("moves her jacket" is handling).


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
# -- connectives: how clauses relate in time ----------------------------------------------------------
# connective -> relation of what follows to what precedes (then / and / while / after / before /
# while_not); the longest match wins
CONNECTIVES: dict[tuple[str, ...], str] = {
    ("and", "then"): "then", (",", "then"): "then", ("then",): "then", ("and", "afterward"): "then",
    ("afterward",): "then", ("after", "that"): "then", ("later",): "then", ("subsequently",): "then",
    ("and", "finally"): "then", ("finally",): "then", ("followed", "by"): "then", ("until",): "then",
    ("and", "later"): "then", ("and", "eventually"): "then",
    ("and",): "and", (",",): "and", (";",): "and", (":",): "and", ("but",): "and", ("and", "also"): "and",
    ("while",): "while", ("whilst",): "while", ("as",): "while", ("when",): "while", ("during",): "while",
    ("meanwhile",): "while", ("and", "while"): "while", (",", "while"): "while", ("and", "as"): "while",
    (",", "as"): "while", ("all", "while"): "while", ("at", "the", "same", "time"): "while",
    ("after",): "after", (",", "after"): "after", ("and", "after"): "after",
    ("before",): "before", (",", "before"): "before", ("and", "before"): "before",
    ("rather", "than"): "while_not", ("instead", "of"): "while_not", ("without",): "while_not",
    ("and", "not"): "while_not", (",", "not"): "while_not",
}
NEGATORS = frozenset({"not", "no", "never", "nt"})
# past participles that make "be/get X" passive
PARTICIPLES = frozenset({"seen", "taken", "brought", "held", "led", "thrown", "struck", "caught", "hidden",
                         "worn", "given", "laid", "made", "put", "set", "shot", "ridden", "driven", "bitten",
                         "fallen"})

# -- noun phrases and prepositions -------------------------------------------------------------------
DETERMINERS = frozenset({"the", "a", "an", "his", "her", "its", "their", "this", "that", "these", "those",
                         "one", "two", "three", "four", "five", "some", "both", "all", "few", "several",
                         "each", "my", "your", "s", "other", "another", "any", "many", "no", "same"})
# a clause opening with these names someone else: "while her mother picks up a cap"
OTHER_ACTOR_DETERMINERS = frozenset({"his", "her", "their", "its", "another"})
PRONOUNS = frozenset({"him", "her", "them", "it", "itself", "himself", "herself", "themselves", "me", "us"})
# "the back of", "the side of": a part of what follows
PART_NOUNS = frozenset({"back", "front", "side", "top", "bottom", "middle", "center", "centre", "edge", "end",
                        "corner", "rear", "face", "surface"})
# "the left side", "the right lane": nouns a side word may qualify
SIDE_NOUNS = frozenset({"side", "direction", "edge", "part", "corner", "border", "end", "half", "area",
                        "portion", "sidewalk", "lane"})
# adjectives besides colours, place modifiers and visual words: "a slight left turn"
MANNER_ADJECTIVES = frozenset({"slight", "quick", "sharp", "small", "full", "brief", "swift", "short", "sudden",
                               "gentle", "big", "wide"})
# words between a determiner and an action noun: "a few steps", "a backward step"
NOUN_ACTION_FILLERS = frozenset({"few", "couple", "of", "one", "two", "three", "sideway", "backward", "forward",
                                 "light"})
# prepositions a noun phrase may follow (several-word ones are matched first)
PREPOSITIONS: tuple[str, ...] = (
    "with", "alongside", "beside", "besides", "next to", "near", "nearby", "close to", "by", "toward", "to",
    "at", "after", "behind", "past", "around", "in front of", "ahead of", "between", "among", "amongst",
    "from", "onto", "on", "over", "under", "beneath", "underneath", "below", "above", "against",
    "along with", "accompanied by", "together with", "away from", "closer to", "into", "inside",
    "in", "out of", "across", "through", "along", "on top of", "in the middle of", "in the center of",
    "off", "for", "like", "beyond", "within", "outside", "outside of", "up", "down", "towards", "via",
    "in the direction of", "instead of", "upon", "out", "out from", "at the front of")
INTO_PREPOSITIONS = frozenset({"into", "inside", "in", "through"})                 # + a building: goes in
OUT_OF_PREPOSITIONS = frozenset({"out of", "from", "outside of", "outside", "out", "out from"})   # comes out
# prepositions of direction and of place (a side after them is where it goes / where it is)
TO_PREPOSITIONS = frozenset({"to", "toward", "towards", "into", "onto", "facing", "face"})
AT_PREPOSITIONS = frozenset({"on", "in", "at", "by", "along", "within"})
# the frame: "into view" (in), "off screen" (out), "enters the frame" (the object)
FRAME_IN_PREPOSITIONS = frozenset({"into", "in", "to", "onto", "within", "inside"})
FRAME_OUT_PREPOSITIONS = frozenset({"off", "from"})
# verbs after which a bare "the camera" is a direction ("approaches the camera")
CAMERA_VERBS = frozenset({"approach", "face", "turn", "look"})


class Pattern(NamedTuple):
    """One row of :data:`MODIFIER_PATTERNS`."""
    words: tuple[str, ...] | str        # words ("a|b" alternatives, "?a" optional) or "@matcher"
    effect: tuple[str, ...] = ()        # "flag", "field=value", "field?=value" (set unless set)
    unless_next: frozenset[str] = frozenset()   # the match must not be followed by one of these
    unless_prev: frozenset[str] = frozenset()   # ... nor preceded by one of these
    bare: bool = False                  # no noun phrase may follow ("walks past", not "past the shop")


_POSSESSIVE_ARTICLES = frozenset({"a", "an", "his", "her", "its", "their"})
# What the words after a verb say, tried in this order at each word of its complement; the first
# row that matches consumes its words and applies its effect to the phrase's modifiers
# (svag.language.phrases.Mods: src / dst / at are where it comes from / goes to / is; flags such
# as up, back, still, slow). Words match on the lemma or the text. "@name" rows are the structured
# matchers of svag.language.phrases (sides, the camera, the frame, occluders, noun phrases).
MODIFIER_PATTERNS: tuple[Pattern, ...] = (
    Pattern("@from_to"),                 # "from (the) right (side) to (the) left"
    Pattern("@noun_action"),             # "(a slight) left turn", "a quick look", "a few steps"
    Pattern("@camera"),                  # "towards the camera (side)", "away from the camera", "the distance"
    Pattern(("up", "the", "street|road"), ("dst=far",)),
    Pattern("@frame"),                   # "out of the frame", "into view", "off screen"
    Pattern("@behind"),                  # "from behind X", "behind X", "at the back of X"
    Pattern("@side"),                    # "to the left", "on the right side of the road", "leftward"
    Pattern(("back|behind|backside",), ("back",), frozenset({"of"}), _POSSESSIVE_ARTICLES),
    Pattern(("backward",), ("backward",), frozenset({"of"}), _POSSESSIVE_ARTICLES),
    Pattern(("over", "?his|her|its|their", "shoulder"), ("back",)),
    Pattern(("to|toward", "the", "front"), ("forward",)),
    Pattern(("forward|ahead|straight|front|frontward",), ("forward",), frozenset({"of"})),
    Pattern(("up|upward|upwards|higher",), ("up",), frozenset({"to"})),   # "walks up to X" approaches X
    Pattern(("down|downward|downwards|lower",), ("down",), frozenset({"the", "a"})),
    Pattern(("to", "the", "side"), ("sideways",)),
    Pattern(("sideway|aside",), ("sideways",)),
    Pattern(("in", "?a", "circle|circles|circular"), ("circle",)),
    Pattern(("around|round",), ("around",), bare=True),
    Pattern(("surrounding",), ("around",)),
    Pattern(("located|situated|positioned|set",)),
    Pattern(("from", "a|its|the|their|his|her", "?seat|seated|sitting|standing|still|lying|levitating|hovering|"
                                                "stationary|resting|crouching", "position")),
    Pattern(("in", "reverse"), ("backward",)),
    Pattern(("away",), unless_next=frozenset({"from"})),
    Pattern(("closer|close|near|nearer", "to", "?the", "camera", "?side"), ("dst?=camera",)),
    Pattern(("directions",), ("noun_action?=gesture",), unless_prev=frozenset(SIDE_WORDS)),
    Pattern(("past",), bare=True),
    Pattern(("together",), ("together",)),
    Pattern("@inside"),                  # "goes inside" (at the end of the clause)
    Pattern(("in", "?the", "same", "spot|position|place"), ("still",)),
    Pattern(("in", "place"), ("still",)),
    Pattern(("at", "all", "time|times")),
    Pattern(("all", "time|times")),
    Pattern(("still|motionless|stationary|immobile|static|upright",), ("still",)),
    Pattern("@faster_than"),             # "faster than another airplane"
    Pattern(("at", "a", "slower", "pace|speed|rate"), ("slower",)),
    Pattern(("at", "a", "faster|quicker", "pace|speed|rate"), ("faster",)),
    Pattern(("at", "a", "slow|leisurely", "pace|speed|rate"), ("slow",)),
    Pattern(("at", "a", "quick|fast|rapid|brisk", "pace|speed|rate"), ("fast",)),
    Pattern(("slower",), ("slower",)),
    Pattern(("faster|quicker",), ("faster",)),
    Pattern(("slowly|slow",), ("slow",)),
    Pattern(("quickly|fast|swiftly|rapidly|hurriedly|speedily",), ("fast",)),
    Pattern("@preposition"),             # "with another person", "into the shop", "past the car"
    Pattern("@object"),                  # a bare noun phrase: "crosses the street"
    Pattern("@particle"),                # "takes off", "pulls over"
)

# -- what modifiers mean --------------------------------------------------------------------------------
# where it goes -> motion predicate; "far" is away from the camera
DIRECTION_PREDICATES: dict[str, str] = {
    "left": "move_left", "right": "move_right", "top": "move_up", "bottom": "move_down",
    "camera": "move_towards_camera", "far": "move_away_from_camera"}
OPPOSITE_SIDES: dict[str, str] = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
# where it looks -> look(arg)
LOOK_ARGS: dict[str, str] = {"left": "left", "right": "right", "camera": "camera", "far": "away", "top": "up",
                             "bottom": "down", "back": "back"}
# another actor after a preposition -> (predicate, weight): "walks with another person" -> together
RELATIONS: dict[str, tuple[str, float]] = {
    **{p: ("together", 1.0) for p in ("with", "alongside", "beside", "besides", "next to", "along with",
                                      "accompanied by", "together with", "near", "close to", "by", "among",
                                      "amongst")},
    **{p: ("approach", 1.0) for p in ("toward", "towards", "to", "closer to", "into", "at")},
    "away from": ("move_away_from", 1.0),
    "behind": ("follow", 0.8), "after": ("follow", 0.8),
    **{p: ("pass", 0.7) for p in ("past", "in front of", "ahead of", "between", "beyond", "than")},
    "around": ("circle", 1.0),
}
# "in a group", "in a crowd": together (weight 0.8)
GROUP_NOUNS = frozenset({"group", "crowd", "couple", "pair"})


class Override(NamedTuple):
    """One row of :data:`KIND_OVERRIDES`."""
    kinds: tuple[str, ...]      # verb kinds the row applies to (() = any)
    lemmas: tuple[str, ...]     # verbs it applies to (() = any)
    when: str                   # a condition on the complement (svag.language.rules.CONDITIONS)
    kind: str                   # the kind to read the verb as


_MOVE_LIKE = ("move", "shift", "pass", "switch", "transfer")
# A verb's kind after looking at its complement, first matching row wins: "moves her jacket" is
# handling, "stands up" is rising, "pecks at the seeds" is eating.
KIND_OVERRIDES: tuple[Override, ...] = (
    Override(("move", "pass_"), _MOVE_LIKE, "moves_object", "handle"),
    Override(("move", "pass_"), _MOVE_LIKE, "moves_gaze", "look"),
    Override(("move", "pass_"), _MOVE_LIKE, "moves_head", "look"),
    Override(("move", "pass_"), _MOVE_LIKE, "moves_body_part", "raise_"),
    Override(("state",), ("stand",), "up", "rise"),
    Override((), ("sit", "lie"), "down", "sit"),
    Override(("interact",), (), "plays_alone_or_phone", "handle"),
    Override(("state", "keep"), ("rest", "position", "place", "keep"), "body_part", "handle"),
    Override(("interact",), ("buy", "shop", "order", "pay"), "no_actor", "handle"),
    Override(("interact",), ("visit", "sing", "dance"), "no_actor", "gesture"),
    Override(("fight",), ("peck", "strike", "tap"), "food_no_actor", "eat"),
    Override((), ("pull",), "over", "stop"),                # "pulls over"
    Override((), ("touch",), "down", "land"),               # "touches down"
    Override((), ("set", "drive"), "takes_off", "start"),  # "sets off", "drives off (again)": starts moving
    Override((), ("drop",), "no_object", "fall"),
    Override((), ("lean",), "sideways_lean", "gesture"),
)


class ObjectReading(NamedTuple):
    """One row of :data:`OBJECT_READINGS`."""
    lemmas: tuple[str, ...]         # verbs the row applies to (() = any)
    when: str                       # a condition on the complement (svag.language.rules.CONDITIONS)
    predicates: tuple[str, ...]     # "name" or "name:weight"; "@name" a reading of svag.language.rules


_HOLD = ("hold", "grab", "grasp", "grip", "clutch", "take", "seize")
# Verbs of the "handle" kind mean what their object makes them, first matching row wins: "pushes
# another monkey" is fight, "pushes the bike" is handling; no row: handle_object.
OBJECT_READINGS: tuple[ObjectReading, ...] = (
    ObjectReading(("take", "give", "have", "make", "get", "put"), "noun_action", ("@noun_action",)),  # "takes a picture"
    ObjectReading(("drag", "pull", "push", "shove", "throw", "flip", "roll", "knock"), "passive_by_actor",
                  ("fight:0.7",)),                                     # "is being dragged by another monkey"
    ObjectReading(("carry", "bring", "take", "drag", "pull", "push", "lead", "move", "introduce", "place", "put",
                   "shove", "throw"), "passive", ("@motion",)),        # "is being carried to the left"
    ObjectReading(("take",), "takes_off", ("move_up:0.7",)),           # "the goose takes off"
    ObjectReading(("push", "pull", "drag", "throw", "shove", "knock"), "actor_no_object", ("fight",)),
    ObjectReading(("put", "place", "rest", "lay", "keep"), "actor", ("interact",)),
    ObjectReading(_HOLD, "actor_and_object", ("interact",)),           # "takes something from the guard"
    ObjectReading(_HOLD, "actor", ("interact", "together:0.7")),       # "holds a child's hand"
    ObjectReading(("give", "hand", "offer", "deliver", "receive", "accept"), "actor_or_related", ("interact",)),
    ObjectReading(("lead",), "actor", ("@lead",)),                     # "leads a horse to the left"
    ObjectReading(("drink", "sip"), "always", ("eat",)),
    ObjectReading(("carry", "wear"), "always", ("@handle",)),
    ObjectReading((), "own_body", ("gesture",)),                       # "scratches her head"
    ObjectReading(("mount",), "always", ("handle_object", "move_up:0.5")),
)
# handled objects that move with the actor: "pushes a cart to the left" is handle_object and move_left
MOVED_WITH = frozenset({"push", "pull", "drag", "carry", "lead", "bring"})

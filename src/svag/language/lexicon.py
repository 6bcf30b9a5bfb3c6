"""Word lists for the query parser: actors, visual attributes, sides, places, verbs.

Plain data, no logic. Words are lower case; verbs and nouns are given in their base form (the
tokenizer lemmatizes "walking" -> "walk", "birds" -> "bird" against these lists); several-word
terms are written with "_" ("zebra_crossing") and joined by the tokenizer (:data:`MULTIWORDS`).
"""
from __future__ import annotations

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

# words naming some other actor (besides CATEGORIES): "another", "the others", "a group"
ACTOR_WORDS = frozenset({"other", "another", "others", "group", "crowd", "friend", "companion", "partner",
                         "master", "couple", "each", "family", "colleague", "stranger"})

COUNTS: dict[str, str] = {
    "one": "one", "single": "one", "two": "two", "three": "three", "four": "four", "five": "five",
    "both": "two", "several": "several", "some": "several", "many": "many", "multiple": "several",
    "all": "all", "every": "all", "group": "group", "pair": "two", "couple": "two",
}

COLOURS = frozenset({"red", "white", "black", "blue", "green", "yellow", "grey", "gray", "orange", "pink",
                     "purple", "brown", "beige", "golden", "silver", "dark", "light", "navy", "violet",
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
INDOOR = frozenset({"building", "store", "shop", "mall", "showroom", "supermarket", "entrance", "door",
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
    ("parking", "lot"): "parking_lot", ("short", "sleeve"): "short_sleeve", ("one", "another"): "each_other", ("high", "five"): "high_five",
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

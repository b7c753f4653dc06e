"""Name pools for the synthetic borough, and the ways agencies get names wrong.

British names come from a seeded Faker ``en_GB`` (drawn once per run into pools); the other pools
are common given and family names of the communities of an inner-north-London borough (West
African, Caribbean, Somali, Turkish and Kurdish, Orthodox Jewish, Bangladeshi, Polish and so on).
They are ordinary names, combined at random: nobody generated here is a real person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from faker import Faker

# Each culture: (male given names, female given names, family names).
_POOLS: dict[str, tuple[str, str, str]] = {
    "british_modern": (
        "Oliver George Harry Noah Jack Leo Arthur Freddie Alfie Theo Charlie Oscar Archie "
        "Thomas William James Joshua Samuel Daniel Ethan Jacob Lewis Max Reggie Tommy Finley "
        "Callum Kyle Connor Bradley Jordan Liam Ryan Dylan Riley Mason Logan",
        "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace "
        "Poppy Evie Ella Chloe Jessica Emily Ruby Millie Holly Megan Lacey Courtney Demi Leah "
        "Paige Jade Charlotte Phoebe Scarlett Daisy Elsie",
        "",
    ),
    "irish": (
        "Sean Ciaran Padraig Niall Conor Cian Eoin Darragh Oisin Liam Declan Ronan",
        "Niamh Siobhan Aoife Ciara Roisin Saoirse Orla Grainne Caoimhe Sinead Clodagh",
        "Murphy O'Brien Kelly Byrne Doyle O'Connor Walsh Ryan O'Sullivan McCarthy Gallagher "
        "Kennedy Quinn Brennan Flanagan",
    ),
    "traveller": (
        "John Patrick Michael Martin Johnny Tommy Jimmy Francis Joe",
        "Bridget Mary Margaret Kathleen Nora Winnie Kitty Josie",
        "McDonagh Ward Doherty Joyce Maughan Connors Stokes Price Lee Cash Delaney",
    ),
    "roma": (
        "Ionut Florin Marian Adrian Gabriel Robert Dezider Lukas Marek Vasile",
        "Denisa Simona Nikola Veronika Marcela Lenka Claudia Roxana",
        "Horvath Balog Lakatos Kovac Dudi Bandy Gabor Olah Sztojka Ciuraru Duna",
    ),
    "polish": (
        "Jakub Kacper Szymon Filip Piotr Mateusz Bartosz Michal Tomasz Wojciech Antoni "
        "Krzysztof Pawel Dawid Oskar",
        "Zuzanna Julia Maja Wiktoria Oliwia Natalia Aleksandra Zofia Hanna Magdalena Karolina "
        "Agnieszka Weronika Lena",
        "Nowak Kowalski Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Wozniak "
        "Dabrowski Kozlowski Jankowski Mazur Krawczyk Piotrowski Grabowski",
    ),
    "turkish_kurdish": (
        "Emre Mehmet Mustafa Deniz Serhat Baran Berk Can Kerem Murat Yusuf Eren Hasan Ahmet "
        "Rojhat Azad Welat Kadir Umut Hakan",
        "Elif Zeynep Leyla Berfin Rojda Ceren Ece Ayse Fatma Melis Dilan Zehra Sila Nesrin "
        "Helin Rozerin Derya",
        "Yilmaz Kaya Demir Aslan Celik Ozturk Dogan Kilic Arslan Sahin Yildiz Aydin Ozdemir "
        "Polat Erdem Kurt Tekin Gunes Bozkurt Kaplan Akbulut Dag",
    ),
    "jewish": (
        "Moshe Yosef Chaim Shmuel Yitzchok Avrohom Menachem Yaakov Dovid Shlomo Mordechai "
        "Aron Eliezer Berish Yoel Zalmen Pinchas",
        "Chana Rivka Leah Miriam Esther Chaya Sara Rochel Devorah Malka Fraidy Gitty Perel "
        "Shaindy Blimy Tzirel Feiga",
        "Friedman Gross Stern Klein Weiss Schwartz Goldberger Rosenberg Lieberman Grunfeld "
        "Katz Rubin Landau Halpern Teitelbaum Steinberg Reich Berger Hirsch Kohn",
    ),
    "other_white": (
        "Joao Tiago Marco Luca Ionut Andrei Arben Ardit Mihai Diego Pablo Rafael Bruno "
        "Alessandro Nikos Stefan",
        "Andreea Ioana Giulia Sofia Ana Beatriz Elena Alba Ariana Denisa Lucia Chiara Mariana "
        "Eleni Ines",
        "Silva Santos Ferreira Pereira Popescu Ionescu Rossi Russo Hoxha Gashi Krasniqi Garcia "
        "Rodriguez Costa Marino Dumitru Papadopoulos Oliveira",
    ),
    "west_african": (
        "Kofi Kwame Kwabena Yaw Kojo Kwesi Emeka Chidi Chinedu Obinna Tunde Adebayo Femi "
        "Olumide Segun Ifeanyi Nnamdi Babajide Daniel Samuel David Emmanuel Joshua Michael "
        "Oluwaseun Tobi",
        "Ama Abena Akosua Efua Adwoa Ngozi Chiamaka Adaeze Funmilayo Folake Yetunde Temitope "
        "Blessing Precious Grace Esther Favour Deborah Chioma Nneka Ife",
        "Mensah Boateng Asante Owusu Osei Agyeman Appiah Darko Okafor Okoye Nwosu Eze Adeyemi "
        "Adebayo Balogun Adeleke Oladipo Ogunleye Afolabi Olawale Okonkwo Obi Chukwu Amoah Addo",
    ),
    "somali": (
        "Abdi Abdirahman Abdullahi Mohamed Hassan Yusuf Omar Ahmed Ismail Mustafe Liban Khalid "
        "Bashir Hamza Zakariye",
        "Hodan Ayaan Faduma Sahra Hibo Ifrah Nasra Ubah Sagal Hamdi Amina Idil Fardowsa Khadra",
        "Abdullahi Farah Warsame Hassan Mohamed Jama Osman Ahmed Ali Nur Aden Hersi Egal Guled "
        "Dahir Yusuf",
    ),
    "caribbean": (
        "Jermaine Tyrone Marcus Jayden Kemar Andre Dwayne Leon Kareem Shaquille Tyrese Devon "
        "Jordan Kyle Reuben Isaiah Malachi Elijah Nathaniel Kai Romaine",
        "Shanice Keisha Tianna Aaliyah Jada Chantelle Monique Shantelle Nia Kiara Tia Jasmine "
        "Imani Maya Serena Destiny Latoya",
        "Campbell Brown Williams Clarke Thompson Francis Grant Morgan Reid Bailey Johnson Henry "
        "Lewis Walker Robinson Richards Gayle Stewart Powell Edwards Samuels Forbes McKenzie "
        "Barrett",
    ),
    "indian": (
        "Arjun Rohan Aarav Vivek Rahul Karan Dev Nikhil Harpreet Gurpreet Ravi Sanjay Krish",
        "Priya Ananya Diya Kavya Pooja Neha Simran Anjali Riya Meera Jaspreet",
        "Patel Shah Singh Kaur Sharma Gupta Mehta Desai Joshi Kumar Parmar Mistry",
    ),
    "pakistani": (
        "Hamza Imran Bilal Usman Zain Adnan Asad Ali Haris Faisal Ibrahim Muhammad",
        "Aisha Zainab Ayesha Maryam Hira Sana Iqra Mahnoor Fatima Noor",
        "Khan Iqbal Malik Akhtar Butt Qureshi Raza Hussain Mahmood Bashir Anwar Chaudhry",
    ),
    "bangladeshi": (
        "Rahim Karim Abdul Nazmul Tanvir Shahid Rakib Imran Faisal Jamal Shahed Rafiq Mahfuz "
        "Ayaan Zayan Rayyan",
        "Sabrina Nusrat Fatema Shamima Rumana Tahmina Sadia Farhana Jannat Ruksana Anika "
        "Tasnim Mahira Safa",
        "Rahman Ahmed Begum Hussain Miah Uddin Islam Khatun Chowdhury Ali Hoque Alam Sarkar "
        "Akhter Khan",
    ),
    "chinese": (
        "Wei Jun Hao Ming Jian Kai Tao Chen Bo Long",
        "Mei Hui Xin Ying Ling Jia Yan Qing",
        "Chen Wang Li Zhang Liu Wong Lam Cheung Ng Yang Huang Lin",
    ),
    "other_asian": (
        "Minh Duc Tuan Tharun Kajan Ahmad Farhad Jose Mark Bao",
        "Linh Thu Thao Anh Thivya Sharmila Mariam Maria Angelica",
        "Nguyen Tran Le Pham Sivakumar Rajan Kandiah Ahmadi Rahimi Santos Reyes Cruz Karimi",
    ),
    "arab": (
        "Omar Yousef Khaled Karim Tariq Sami Adam Ziad Hussein",
        "Layla Nour Mariam Yasmin Rania Lina Hala Salma",
        "Haddad Khalil Nasser Saleh Mansour Hamdan Abbas Darwish Aziz Yassin",
    ),
    "latin": (
        "Santiago Mateo Juan Carlos Andres Luis Sebastian",
        "Valentina Camila Daniela Gabriela Paula Luisa",
        "Gomez Martinez Lopez Vargas Restrepo Castro Moreno Herrera",
    ),
}

CULTURES: tuple[str, ...] = (
    "british",
    "irish",
    "traveller",
    "roma",
    "polish",
    "turkish_kurdish",
    "jewish",
    "other_white",
    "west_african",
    "somali",
    "caribbean",
    "indian",
    "pakistani",
    "bangladeshi",
    "chinese",
    "other_asian",
    "arab",
    "latin",
)
CULTURE_INDEX = {c: i for i, c in enumerate(CULTURES)}

# Names commonly written several ways; a record may use any spelling of the group.
_SPELLINGS = (
    "Mohamed Mohammed Muhammad Mohammad Muhammed",
    "Abdirahman Abdurahman Abdulrahman",
    "Yusuf Yousef Yusef Youssef",
    "Hussain Hussein Husain Hossain",
    "Ahmed Ahmad Ahmet",
    "Chowdhury Choudhury Chaudhry",
    "Mustafa Mustapha Mustafe",
    "Zainab Zaynab Zenab",
    "Aisha Ayesha Aysha",
    "Fatima Fatema Fatuma",
    "Omar Umar",
    "Osman Othman Usman",
    "Chaim Haim Chayim",
    "Yitzchok Yitzchak Yitzhak",
    "Shmuel Shmiel",
    "Chana Hannah Hana Hanna",
    "Rivka Rivky Rifka",
    "Yaakov Yakov Jacob",
    "Dovid David",
    "Leyla Leila Layla",
    "Tyrese Tyreese",
    "Shanice Shaniece Shaneese",
    "Aaliyah Aliyah Aleeyah",
    "Jayden Jaden Jaiden",
    "Kemar Kamar",
    "Mensah Mensa",
    "Boateng Boatend",
    "Owusu Owusuh",
    "Okafor Okafur",
    "Adeyemi Adeyemmi",
    "Begum Begom",
    "Miah Mia",
    "Uddin Udin",
    "Rahman Rahaman",
    "Friedman Friedmann Fridman",
    "Schwartz Schwarz Swartz",
    "Weiss Weis",
    "Wisniewski Wisnewski",
    "Wojcik Wojcick",
    "McDonagh McDonough",
    "Catherine Katherine Kathryn",
    "Sean Shaun Shawn",
    "Niamh Neve",
    "Zoe Zoey",
    "Isabel Isabelle Isobel",
    "Stephen Steven",
    "Philip Phillip",
)

_NICKNAMES = {
    "William": "Will;Billy",
    "Thomas": "Tom;Tommy",
    "James": "Jim;Jamie",
    "Alexander": "Alex;Xander",
    "Christopher": "Chris",
    "Michael": "Mike;Mikey",
    "Daniel": "Dan;Danny",
    "Joshua": "Josh",
    "Samuel": "Sam;Sammy",
    "Benjamin": "Ben",
    "Jonathan": "Jon",
    "Nathaniel": "Nate;Nath",
    "Frederick": "Freddie",
    "Alfred": "Alfie",
    "Theodore": "Theo",
    "Mohamed": "Mo;Moha",
    "Mohammed": "Mo",
    "Muhammad": "Mo",
    "Abdirahman": "Abdi",
    "Abdullahi": "Abdi",
    "Emmanuel": "Manny",
    "Oluwaseun": "Seun",
    "Olumide": "Mide",
    "Babajide": "Jide",
    "Funmilayo": "Funmi",
    "Temitope": "Temi;Tope",
    "Chiamaka": "Amaka",
    "Jermaine": "Jay",
    "Jayden": "Jay",
    "Tyrone": "Ty",
    "Tyrese": "Ty",
    "Marcus": "Marc",
    "Elizabeth": "Liz;Beth",
    "Rebecca": "Becky",
    "Victoria": "Vicky",
    "Olivia": "Liv",
    "Isabella": "Bella;Izzy",
    "Charlotte": "Lottie",
    "Florence": "Flo",
    "Jessica": "Jess",
    "Samantha": "Sam",
    "Mustafa": "Musti",
    "Mehmet": "Memo",
    "Abdul": "Abdi",
    "Kwabena": "Kobby",
    "Kwame": "Kwams",
    "Kofi": "Kof",
    "Yitzchok": "Itzy",
    "Shmuel": "Shmuli",
    "Avrohom": "Avi",
    "Menachem": "Mendy",
    "Chaim": "Chaimy",
    "Aleksandra": "Ola",
    "Wojciech": "Wojtek",
    "Krzysztof": "Krzys",
    "Jakub": "Kuba",
    "Zuzanna": "Zuzia",
    "Kemar": "Kem",
    "Nathan": "Nate",
    "Matthew": "Matt",
    "Anthony": "Tony",
    "Joseph": "Joe",
    "Patrick": "Paddy",
    "Robert": "Rob;Bobby",
    "Richard": "Rich",
    "Edward": "Ed;Eddie",
    "Katherine": "Kate;Katie",
    "Margaret": "Maggie",
    "Deborah": "Debbie",
    "Destiny": "Dez",
    "Aaliyah": "Liyah",
    "Malachi": "Kai",
    "Isaiah": "Zay",
    "Romaine": "Ro",
}

# Street names and nicknames given in police and youth justice records.
_STREET_NAMES = (
    "Ghost Smokey Shadow Tiny Flex Dreamz Milly Rico Snowy Blaze Skinny Chunky Ace Bandz "
    "Kasper Spider Dizzy Zeus Nitro Bugsy Storm Pacman Slim Duke Sneaky Lucky Bear Razz"
).split()

_STREET_WORDS = (
    "Amhurst Brunel Cardale Dunlace Elrington Fenwick Glyndon Halcrow Inglewood Juxon Kenmure "
    "Lavender Marcon Northwold Orsman Pellerin Quilter Rushmore Sandbrook Tresham Upcott Vallance "
    "Wilmer Yoakley Aldren Benthal Chatsworth Cricklade Dericote Evering Foulden Gayhurst "
    "Hertslet Ickburgh Kyverdale Lordship Mildenhall Nevill Oldfield Perren Ravensdale "
    "Sigdon Tyssen Urswick Venner Wayland Ashenden Bodney Carlton Dalby Esmond Forburg"
).split()
_STREET_SUFFIXES = (
    "Road Street Grove Lane Terrace Walk Gardens Place Close Crescent Row Way".split()
)

# Invented words for estates, parks, schools, shops and groups (no real Hackney estate names).
PLACE_WORDS = (
    "Larkmoor Ashcroft Bramwell Cressfield Elderbrook Fernholm Hawkridge Juniper Maplewick "
    "Osierdene Quillgate Rookwood Sedgemere Teaselby Wrenfield Yarrowby Alderholt Birchfold "
    "Copperfen Dunmere Eastwold Foxhollow Greyling Hollowmead Ivydene Kestrel Linnet Marshcroft "
    "Nettlecombe Orchid Pennywell Quarrybank Ravensmoor Saltings Thornleigh Umberdale Vinegarth "
    "Willowmere Amberley Bellbrook Calder Dovecote Emberton Fallowfield Goldfinch Heronsgate "
    "Ironbridge Jasper Kingfisher Lindenbrook Meadowsweet Northbank Oakhanger Plover Redstart "
    "Sparrowhall Tansy Underhill Vetch Whitebeam Yewtree Brackenby Cinderford Ducklees Elmsworth "
    "Foxglove Gorsebrook Harebell Inchmere Jessamine Knotweed Lapwing Mistle Nightjar Oxlip "
    "Pipit Quaker Rushbrook Sorrel Tamarisk Upland Valerian Waxwing Barleycorn Cowslip Damson"
).split()

GROUP_SUFFIXES = ("Boys", "Crew", "Youngers", "Mandem", "Squad", "Gang", "Block", "Girls")


@dataclass(frozen=True)
class NamePools:
    """Given and family names per culture, as arrays to sample from with numpy."""

    male: tuple[np.ndarray, ...]
    female: tuple[np.ndarray, ...]
    family: tuple[np.ndarray, ...]
    british_adult_male: np.ndarray
    british_adult_female: np.ndarray
    streets: np.ndarray
    spelling: dict[str, tuple[str, ...]]
    nicknames: dict[str, tuple[str, ...]]
    street_names: tuple[str, ...]


def _unique(values: list[str], spaces: bool = False) -> np.ndarray:
    """Distinct values in first-seen order (deterministic), as an object array."""
    kept = (v for v in values if v and (spaces or " " not in v))
    return np.array(list(dict.fromkeys(kept)), dtype=object)


def build_pools(seed: int) -> NamePools:
    """Draw the British pools from a seeded Faker once; build every other pool from the lists."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    faker_male = _unique([fake.first_name_male() for _ in range(400)])
    faker_female = _unique([fake.first_name_female() for _ in range(400)])
    faker_family = _unique([fake.last_name() for _ in range(900)])
    modern_m, modern_f, _ = (s.split() for s in _POOLS["british_modern"])
    british_male = _unique(modern_m * 3 + list(faker_male[:60]))
    british_female = _unique(modern_f * 3 + list(faker_female[:60]))
    streets = _unique([f"{w} {s}" for w in _STREET_WORDS for s in _STREET_SUFFIXES], spaces=True)
    male, female, family = [], [], []
    for culture in CULTURES:
        if culture == "british":
            male.append(british_male)
            female.append(british_female)
            family.append(faker_family)
            continue
        m, f, fam = (_unique(s.split()) for s in _POOLS[culture])
        male.append(m)
        female.append(f)
        family.append(fam)
    spelling: dict[str, tuple[str, ...]] = {}
    for line in _SPELLINGS:
        words = tuple(line.split())
        for w in words:
            spelling[w] = tuple(x for x in words if x != w)
    nicknames = {k: tuple(v.split(";")) for k, v in _NICKNAMES.items()}
    return NamePools(
        male=tuple(male),
        female=tuple(female),
        family=tuple(family),
        british_adult_male=faker_male,
        british_adult_female=faker_female,
        streets=streets,
        spelling=spelling,
        nicknames=nicknames,
        street_names=tuple(_STREET_NAMES),
    )


def feminine(family: str) -> str:
    """Polish family names take the feminine ending for women and girls."""
    if family.endswith("ski"):
        return family[:-3] + "ska"
    if family.endswith("cki"):
        return family[:-3] + "cka"
    return family


_VOWELS = "aeiou"


def typo(name: str, u: float, v: float) -> str:
    """A keying error chosen by ``u`` at position ``v`` (both in [0, 1)); the first letter kept."""
    if len(name) < 4:
        return name + name[-1]
    i = 1 + int(v * (len(name) - 2))
    if u < 0.35:  # transposition
        if name[i] == name[i + 1]:
            return name[:i] + name[i + 1 :]
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if u < 0.65:  # dropped letter
        return name[:i] + name[i + 1 :]
    if u < 0.85:  # doubled letter
        return name[: i + 1] + name[i] + name[i + 1 :]
    c = name[i].lower()  # vowel confusion
    if c in _VOWELS:
        swap = _VOWELS[(_VOWELS.index(c) + 1 + int(v * 4)) % 5]
        return name[:i] + swap + name[i + 1 :]
    return name[:i] + name[i + 1 :]


def nickname(name: str, pools: NamePools, u: float) -> str | None:
    """A short form people use for ``name``, or None when there is no usual one."""
    options = pools.nicknames.get(name)
    if options:
        return options[int(u * len(options))]
    return None


def respell(name: str, pools: NamePools, u: float) -> str | None:
    options = pools.spelling.get(name)
    if options:
        return options[int(u * len(options))]
    return None


def street_name(given: str, pools: NamePools, u: float, v: float) -> str:
    """A street name or nickname for police and youth-justice records."""
    if u < 0.45:
        return pools.street_names[int(v * len(pools.street_names))]
    initial = given[0].upper()
    forms = (
        f"Lil {initial}",
        f"Young {initial}",
        f"Big {initial}",
        f"{given[:3]}z",
        f"{initial}-Dog",
    )
    return forms[int(v * len(forms))]

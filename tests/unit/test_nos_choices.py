"""A contributor names NOS values by their label: codes, labels, a few words, labels holding commas."""

from __future__ import annotations

from quality.nos_choices import Option, pieces, read

AGES = (Option("10", "Sénior, 65-75 ans"), Option("11", "Sénior, 75 ans et plus"), Option("03", "Enfant, avant 12 ans"),
        Option("99", "Ancienne classe", retired=True))
MODES = (Option("28", "Hospitalisation complète (HC)"), Option("29", "Hospitalisation de jour (HJ)"),
         Option("32", "Consultation (CS)"))
ACTIVITIES = (Option("491", "Médecine gériatrique aiguë"), Option("241", "Réadaptation gériatrique"),
              Option("013", "Cardiologie générale"))


def test_labels_words_and_codes_are_read_as_codes():
    assert read(pieces("Sénior, 75 ans et plus"), AGES, "J15") == (["11"], [])
    assert read(pieces("75 ans et plus; enfant"), AGES, "J15") == (["03", "11"], [])
    assert read(pieces("hôpital de jour; CONSULTATION"), MODES, "J19") == (["29", "32"], [])
    assert read(pieces("HJ"), MODES, "J19") == (["29"], [])
    assert read(pieces("gériatrique aiguë"), ACTIVITIES, "J17") == (["491"], [])
    assert read(["013", "Réadaptation gériatrique (241)"], ACTIVITIES, "J17") == (["013", "241"], [])


def test_commas_separate_values_unless_a_label_holds_them():
    assert read(pieces("013, 491"), ACTIVITIES, "J17") == (["013", "491"], [])
    assert read(pieces("Sénior, 65-75 ans, Enfant, avant 12 ans"), AGES, "J15") == (["03", "10"], [])
    assert read(pieces("Hospitalisation complète (HC), Consultation (CS)"), MODES, "J19") == (["28", "32"], [])


def test_an_ambiguous_or_unknown_label_says_so_in_french():
    codes, problems = read(pieces("gériatrie"), ACTIVITIES, "J17")
    assert codes == [] and "plusieurs valeurs" in problems[0] and "Médecine gériatrique aiguë (491)" in problems[0]
    assert read(pieces("zzz"), ACTIVITIES, "J17")[1] == ["« zzz » n'est ni un libellé ni un code connu"]
    assert read(pieces("999"), ACTIVITIES, "J17") == (["999"], [])  # the nomenclature check names unknown codes

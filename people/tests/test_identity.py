from people.identity import check_digit, id_number_problem


def test_masked_id_number_is_explained():
    assert "脱敏" in id_number_problem("330***********1234")


def test_valid_and_broken_check_digit():
    first17 = "33099919800101001"
    assert id_number_problem(first17 + check_digit(first17)) is None
    wrong = "0" if check_digit(first17) != "0" else "1"
    assert "校验位" in id_number_problem(first17 + wrong)

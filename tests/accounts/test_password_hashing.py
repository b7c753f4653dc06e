"""Staff passwords are hashed with Argon2 (the tests elsewhere use a fast hasher)."""

from __future__ import annotations

import pytest


@pytest.mark.real_password_hashing
def test_passwords_are_hashed_with_argon2(make_user, password) -> None:
    user = make_user(username="hashing")
    assert user.password.startswith("argon2$")
    assert user.check_password(password)
    assert not user.check_password(password + "x")

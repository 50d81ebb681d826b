from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with small parameters: the test suite hashes hundreds of passwords."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1

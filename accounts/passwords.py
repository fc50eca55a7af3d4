"""How passwords are hashed: Argon2id with OWASP's recommended minimum parameters
(19 MiB of memory, 2 iterations, 1 lane). On these 2-core machines it costs about 20 ms of
CPU per sign-in, against about 215 ms for Django's PBKDF2 with 1,000,000 iterations, while
its memory cost makes guessing on GPUs expensive. Hashes made with other parameters or
algorithms are upgraded at the person's next sign-in. docs/security.md says why."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SignaalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

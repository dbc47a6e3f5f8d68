"""User accounts and API tokens stored in Neo4j (`:User`, `:ApiToken`); every change is audited."""

from __future__ import annotations

import re
from collections.abc import Iterable

import cypher
from accounts.audit import append
from accounts.models import ROLES, Principal, Target, User
from accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, new_token, token_hash, verify_password
from core.errors import BadRequest, Conflict, NotFound
from core.identifiers import FINESS
from graph.driver import Graph

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
REGION = re.compile(r"[0-9]{2}")
CLI = Principal(User(username="cli", role="admin"), via="cli")


def _check(username: str, role: str, sites: Iterable[str], regions: Iterable[str]) -> None:
    errors = {}
    if not USERNAME.fullmatch(username or ""):
        errors["username"] = "identifiant de 2 à 64 caractères : minuscules, chiffres, . _ @ -"
    if role not in ROLES:
        errors["role"] = "rôle inconnu, attendu : " + ", ".join(ROLES)
    bad_sites = [s for s in sites if not FINESS.fullmatch(s)]
    if bad_sites:
        errors["sites"] = "numéro FINESS invalide : " + ", ".join(bad_sites)
    bad_regions = [r for r in regions if not REGION.fullmatch(r)]
    if bad_regions:
        errors["regions"] = "code région invalide : " + ", ".join(bad_regions)
    if errors:
        raise BadRequest("Compte invalide : " + ", ".join(sorted(errors)) + ".", fields=errors)


class UserStore:
    def __init__(self, graph: Graph):
        self.graph = graph

    def add(self, username: str, password: str, role: str, *, sites: Iterable[str] = (),
            regions: Iterable[str] = (), display_name: str | None = None, actor: Principal = CLI) -> User:
        sites, regions = sorted(set(sites)), sorted(set(regions))
        _check(username, role, sites, regions)
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise BadRequest("Mot de passe trop court.",
                             fields={"password": f"au moins {MIN_PASSWORD_LENGTH} caractères"})
        if self.get(username) is not None:
            raise Conflict(f"Le compte {username} existe déjà.")
        params = {"username": username, "password_hash": hash_password(password), "role": role, "sites": sites,
                  "regions": regions, "display_name": display_name}

        def work(tx):
            row = tx.run(cypher.query("write/accounts_user_create"), params).single().data()
            append(tx, actor, "user.add", Target("User", username), None, row)
            return row

        return User.from_row(self.graph.transaction(work))

    def get(self, username: str) -> User | None:
        rows = self.graph.read_named("read/accounts_user", username=username)
        return User.from_row(rows[0]) if rows else None

    def list(self) -> list[dict]:
        return self.graph.read_named("read/accounts_users")

    def grant(self, username: str, *, role: str | None = None, add_sites: Iterable[str] = (),
              remove_sites: Iterable[str] = (), add_regions: Iterable[str] = (),
              remove_regions: Iterable[str] = (), active: bool | None = None, actor: Principal = CLI) -> User:
        user = self.get(username)
        if user is None:
            raise NotFound(f"Aucun compte {username}.")
        role = role or user.role
        sites = sorted((set(user.sites) | set(add_sites)) - set(remove_sites))
        regions = sorted((set(user.regions) | set(add_regions)) - set(remove_regions))
        _check(username, role, sites, regions)
        params = {"username": username, "role": role, "sites": sites, "regions": regions,
                  "active": user.active if active is None else active}

        def work(tx):
            row = tx.run(cypher.query("write/accounts_user_grant"), params).single().data()
            append(tx, actor, "user.grant", Target("User", username), row["before"], row["after"])

        self.graph.transaction(work)
        return self.get(username)

    def authenticate(self, username: str, password: str) -> User | None:
        rows = self.graph.read_named("read/accounts_user", username=username)
        stored = rows[0]["password_hash"] if rows else None
        if not verify_password(stored, password) or not rows[0]["active"]:
            return None
        if needs_rehash(stored):
            self.graph.write_named("write/accounts_password_rehash", username=username,
                                   password_hash=hash_password(password))
        return User.from_row(rows[0])

    def end_sessions(self, username: str) -> None:
        """End every open session of `username` (server side: their cookies stop working)."""
        self.graph.write_named("write/accounts_sessions_end", username=username)

    def create_token(self, username: str, name: str, *, actor: Principal = CLI) -> tuple[str, str]:
        """(token id, plaintext token — shown once, never stored)."""
        if self.get(username) is None:
            raise NotFound(f"Aucun compte {username}.")
        token_id, plaintext, hashed = new_token()

        def work(tx):
            tx.run(cypher.query("write/accounts_token_create"), username=username, id=token_id,
                   token_hash=hashed, name=name).consume()
            append(tx, actor, "token.create", Target("ApiToken", token_id), None,
                   {"username": username, "name": name})

        self.graph.transaction(work)
        return token_id, plaintext

    def revoke_token(self, token_id: str, *, actor: Principal = CLI) -> None:
        def work(tx):
            row = tx.run(cypher.query("write/accounts_token_revoke"), id=token_id).single()
            if row is None:
                raise NotFound("Jeton inconnu.")
            append(tx, actor, "token.revoke", Target("ApiToken", token_id), {"revoked": False}, {"revoked": True})

        self.graph.transaction(work)

    def user_for_token(self, plaintext: str) -> tuple[User, str] | None:
        rows = self.graph.read_named("read/accounts_token_user", token_hash=token_hash(plaintext))
        if not rows or not rows[0]["active"]:
            return None
        return User.from_row(rows[0]), rows[0]["token_id"]

    def locate(self, kind: str, target_id: str) -> Target:
        """The site/département/région of a place, offer or site (NotFound when absent)."""
        if kind not in {"place", "offer", "site"}:
            raise ValueError(kind)
        rows = self.graph.read_named(f"read/accounts_scope_{kind}", id=target_id)
        if not rows:
            raise NotFound({"place": "Lieu introuvable.", "offer": "Offre introuvable.",
                            "site": "Établissement introuvable."}[kind])
        row = rows[0]
        return Target(kind=kind.capitalize(), id=target_id, site_finess=row["site_finess"],
                      department_code=row["department_code"], region_code=row["region_code"])

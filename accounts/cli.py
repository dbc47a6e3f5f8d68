"""`ror users add/list/grant/token/revoke`: account administration from the command line (audited as "cli")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from accounts.models import ROLES


@contextmanager
def _store(settings) -> Iterator:
    """The account store on the configured Neo4j, closed after the command."""
    from accounts.store import UserStore
    from engines import manager
    from graph.driver import Graph

    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        yield UserStore(graph)
    finally:
        graph.close()


@click.group()
def users() -> None:
    """Comptes, rôles, périmètres et jetons d'API."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="Rôle du compte.")
@click.option("--site", "sites", multiple=True, help="FINESS d'un établissement (contributeur), répétable.")
@click.option("--region", "regions", multiple=True, help="Code région (coordinateur), répétable.")
@click.option("--name", "display_name", default=None, help="Nom affiché.")
@click.password_option("--password", help="Mot de passe (demandé s'il est absent).")
@click.pass_obj
def add(settings, username, role, sites, regions, display_name, password) -> None:
    """Crée un compte."""
    with _store(settings) as store:
        user = store.add(username, password, role, sites=sites, regions=regions, display_name=display_name)
    click.echo(f"Compte {user.username} créé ({user.role}).")


@users.command("list")
@click.pass_obj
def list_users(settings) -> None:
    """Liste les comptes (sans secrets)."""
    with _store(settings) as store:
        rows = store.list()
    for row in rows:
        scope = ",".join(row["sites"] or []) or ",".join(row["regions"] or []) or "-"
        state = "actif" if row["active"] else "désactivé"
        click.echo(f"{row['username']:<24} {row['role']:<12} {scope:<30} {state:<10} jetons={row['tokens']}")


@users.command("grant")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default=None, help="Nouveau rôle.")
@click.option("--site", "add_sites", multiple=True, help="Ajoute un établissement (FINESS).")
@click.option("--remove-site", "remove_sites", multiple=True, help="Retire un établissement.")
@click.option("--region", "add_regions", multiple=True, help="Ajoute une région.")
@click.option("--remove-region", "remove_regions", multiple=True, help="Retire une région.")
@click.option("--active/--inactive", default=None, help="Active ou désactive le compte.")
@click.pass_obj
def grant(settings, username, role, add_sites, remove_sites, add_regions, remove_regions, active) -> None:
    """Change le rôle ou le périmètre d'un compte."""
    with _store(settings) as store:
        user = store.grant(username, role=role, add_sites=add_sites, remove_sites=remove_sites,
                           add_regions=add_regions, remove_regions=remove_regions, active=active)
    click.echo(f"Compte {user.username} : {user.role}, sites={','.join(user.sites) or '-'}, "
               f"régions={','.join(user.regions) or '-'}.")


@users.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="Nom du jeton (usage).")
@click.pass_obj
def token(settings, username, name) -> None:
    """Crée un jeton d'API (affiché une seule fois)."""
    with _store(settings) as store:
        token_id, plaintext = store.create_token(username, name)
    click.echo(f"Jeton {token_id} créé pour {username} (à conserver, il ne sera plus affiché) :")
    click.echo(plaintext)


@users.command("revoke")
@click.argument("token_id")
@click.pass_obj
def revoke(settings, token_id) -> None:
    """Révoque un jeton d'API."""
    with _store(settings) as store:
        store.revoke_token(token_id)
    click.echo(f"Jeton {token_id} révoqué.")

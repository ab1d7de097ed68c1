"""Sign in, sign up, sign out. The session cookie is set by a plain HTTP route, because a
websocket event cannot set cookies: the event hands a one-time ticket to that route."""

from __future__ import annotations

from urllib.parse import quote

from nicegui import app, ui
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import services
from services import Actor

from . import session
from .frame import frame
from .session import (
    COOKIE,
    client_address,
    complete_login,
    run_auth,
    safe_next,
    viewer_for,
)

TOO_MANY = "Too many attempts from your network; wait a few minutes and try again."


def register() -> None:
    @ui.page("/login")
    async def login_page(request: Request, next: str = "/") -> Response | None:
        target = safe_next(next)
        if await viewer_for(request) is not None:
            return RedirectResponse(target, status_code=303)
        previous = request.cookies.get(COOKIE)
        agent = request.headers.get("user-agent", "")
        address = client_address(request)
        with frame(None, "Sign in"), ui.card().classes("w-full max-w-sm self-center"):
            ui.label("Sign in").classes("text-xl font-semibold")
            email = ui.input("Email").props("type=email autocomplete=username autofocus")
            password = ui.input("Password", password=True, password_toggle_button=True).props(
                "autocomplete=current-password"
            )
            error = ui.label().classes("text-negative text-sm")

            async def submit() -> None:
                def work() -> tuple[str, Actor]:
                    with services.session() as s:
                        return services.auth.login(
                            s,
                            email.value or "",
                            password.value or "",
                            user_agent=agent,
                            previous_token=previous,
                        )

                if button.props.get("loading"):
                    return  # one attempt at a time per page
                if not session.SIGN_IN_LIMIT.hit(address):
                    error.text = TOO_MANY
                    return
                button.props("loading")
                try:
                    token, _ = await run_auth(work)
                except services.DomainError as e:
                    error.text = e.message
                    password.value = ""
                    return
                finally:
                    button.props(remove="loading")
                complete_login(token, target)

            password.on("keydown.enter", submit)
            button = ui.button("Sign in", on_click=submit).classes("w-full")
            if session.config.allow_signup:
                with ui.row().classes("text-sm gap-1"):
                    ui.label("No account yet?")
                    ui.link(
                        "Sign up", "/register" + (f"?next={quote(target)}" if target != "/" else "")
                    )
        return None

    @ui.page("/register")
    async def register_page(request: Request, next: str = "/") -> Response | None:
        target = safe_next(next)
        if not session.config.allow_signup:
            with frame(None, "Sign up"):
                ui.label("Sign-up is disabled; ask an administrator for an account.")
                ui.link("Sign in", "/login")
            return None
        agent = request.headers.get("user-agent", "")
        address = client_address(request)
        with frame(None, "Sign up"), ui.card().classes("w-full max-w-sm self-center"):
            ui.label("Create your account").classes("text-xl font-semibold")
            name = ui.input("Full name").props("autocomplete=name autofocus")
            email = ui.input("Email").props("type=email autocomplete=email")
            password = ui.input("Password", password=True, password_toggle_button=True).props(
                "autocomplete=new-password"
            )
            ui.label("At least 8 characters; common passwords are refused.").classes(
                "text-xs opacity-70"
            )
            error = ui.label().classes("text-negative text-sm")

            async def submit() -> None:
                data = {
                    "email": email.value or "",
                    "password": password.value or "",
                    "full_name": name.value or "",
                }

                def work() -> tuple[str, Actor]:
                    with services.session() as s:
                        services.users.register(s, data, allow_signup=session.config.allow_signup)
                    with services.session() as s:
                        return services.auth.login(
                            s, data["email"], data["password"], user_agent=agent
                        )

                if not session.SIGN_UP_LIMIT.hit(address):
                    error.text = TOO_MANY
                    return
                try:
                    token, _ = await run_auth(work)
                except services.DomainError as e:
                    error.text = e.message
                    return
                complete_login(token, target)

            ui.button("Sign up", on_click=submit).classes("w-full")
            with ui.row().classes("text-sm gap-1"):
                ui.label("Already registered?")
                ui.link("Sign in", "/login")
        return None

    @app.get("/auth/complete", include_in_schema=False)
    def complete(request: Request, ticket: str = "", next: str = "/") -> Response:
        token = session.tickets.redeem(ticket, str(request.session.get("id", "")))
        if token is None:
            return RedirectResponse("/login", status_code=303)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=session.config.secure_cookies,
            max_age=services.auth.SESSION_DAYS * 86400,
            path="/",
        )
        return response

    @app.get("/auth/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        # The session row was deleted by the page's sign-out handler; a direct visit ends it here.
        token = request.cookies.get(COOKIE)
        if token:
            with services.session() as s:
                services.auth.logout(s, token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

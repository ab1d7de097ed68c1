"""Sign in, sign up, sign out. The session cookie is set by a plain HTTP route, because a
websocket event cannot set cookies: the event hands a one-time ticket to that route."""

from __future__ import annotations

from urllib.parse import quote

from nicegui import app, ui
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

import services

from . import config, cookies
from .components import page_heading
from .frame import frame, page
from .redirects import safe_next
from .requests import client_address, same_site
from .signin import Login, complete_login, run_auth, tickets
from .viewer import viewer_for

TOO_MANY = "Too many attempts from your network; wait a few minutes and try again."


def register() -> None:
    @page("/login")
    async def login_page(request: Request, next: str = "/") -> Response | None:
        target = safe_next(next)
        if await viewer_for(request) is not None:
            return RedirectResponse(target, status_code=303)
        previous = cookies.session_token(request)
        device = cookies.read(request, cookies.DEVICE)
        agent = request.headers.get("user-agent", "")
        address = client_address(request)
        with frame(None, "Sign in"), ui.card().classes("w-full max-w-sm self-center"):
            page_heading("Sign in").classes(replace="text-xl font-semibold")
            email = ui.input("Email").props("type=email autocomplete=username autofocus")
            password = ui.input("Password", password=True, password_toggle_button=True).props(
                "autocomplete=current-password"
            )
            error = ui.label().classes("text-negative text-sm")

            async def submit() -> None:
                def work() -> Login:
                    with services.session() as s:
                        done = services.auth.sign_in(
                            s,
                            email.value or "",
                            password.value or "",
                            user_agent=agent,
                            previous_token=previous,
                            device=device,
                            address=address,
                        )
                    return Login(session=done.token, device=done.device)

                if button.props.get("loading"):
                    return  # one attempt at a time per page
                if not services.throttle.SIGN_IN.hit(address):
                    error.text = TOO_MANY
                    return
                button.props("loading")
                try:
                    login = await run_auth(work)
                except services.DomainError as e:
                    error.text = e.message
                    password.value = ""
                    return
                finally:
                    button.props(remove="loading")
                complete_login(login, target)

            password.on("keydown.enter", submit)
            button = ui.button("Sign in", on_click=submit).classes("w-full")
            ui.link("Forgot your password?", "/forgot").classes("text-sm")
            if config.current().allow_signup:
                with ui.row().classes("text-sm gap-1"):
                    ui.label("No account yet?")
                    ui.link(
                        "Sign up", "/register" + (f"?next={quote(target)}" if target != "/" else "")
                    )
        return None

    @page("/register")
    async def register_page(request: Request, next: str = "/") -> Response | None:
        target = safe_next(next)
        if not config.current().allow_signup:
            with frame(None, "Sign up"):
                ui.label("Sign-up is disabled; ask an administrator for an account.")
                ui.link("Sign in", "/login")
            return None
        agent = request.headers.get("user-agent", "")
        address = client_address(request)
        with frame(None, "Sign up"), ui.card().classes("w-full max-w-sm self-center"):
            page_heading("Create your account").classes(replace="text-xl font-semibold")
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

                def work() -> Login:
                    allowed = config.current().allow_signup
                    with services.session() as s:
                        services.users.register(s, data, allow_signup=allowed)
                    with services.session() as s:
                        done = services.auth.sign_in(
                            s, data["email"], data["password"], user_agent=agent, address=address
                        )
                    return Login(session=done.token, device=done.device)

                if not services.throttle.SIGN_UP.hit(address):
                    error.text = TOO_MANY
                    return
                try:
                    login = await run_auth(work)
                except services.DomainError as e:
                    error.text = e.message
                    return
                complete_login(login, target)

            ui.button("Sign up", on_click=submit).classes("w-full")
            with ui.row().classes("text-sm gap-1"):
                ui.label("Already registered?")
                ui.link("Sign in", "/login")
        return None

    @app.get("/auth/complete", include_in_schema=False)
    def complete(request: Request, ticket: str = "", next: str = "/") -> Response:
        login = tickets.redeem(ticket, str(request.session.get("id", "")))
        if login is None:
            return RedirectResponse("/login", status_code=303)
        response = RedirectResponse(safe_next(next), status_code=303)
        cookies.set_session(response, login.session)
        if login.device:
            cookies.set_device(response, login.device)
        return response

    @app.post("/auth/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        """Sign out: a POST from a page of this site (a link, an image or another site
        cannot sign anyone out). The device cookie stays: this browser remains known."""
        if not same_site(request):
            return PlainTextResponse("Refused: this request came from another site.", 403)
        token = cookies.session_token(request)
        if token:
            with services.session() as s:
                services.auth.logout(s, token)
        response = RedirectResponse("/login", status_code=303)
        cookies.clear_session(response)
        return response

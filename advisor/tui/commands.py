"""Command palette entries: jump to any section or workload, save, export, theme."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class InterviewCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        from advisor.tui.app import InterviewScreen

        screen = self.screen
        if not isinstance(screen, InterviewScreen):
            return []
        out: list[tuple[str, object, str]] = []
        for i, s in enumerate(screen.sections):
            out.append((f"Go to: {s.title}", partial(screen.goto_section, i), f"Section {i + 1} of {len(screen.sections)}"))
        for i, name in enumerate(screen.session.workload_names()):
            out.append((f"Workload: {name}", partial(screen.goto_workload, i), "Show this workload's answers and results"))
            for vi, v in enumerate(screen.session.vendors(i)):
                option = v.get("option") if isinstance(v, dict) else None
                if option:
                    out.append((f"Vendor: {option} ({name})", partial(self._vendor, screen, vi, i),
                                "Score this vendor's seven gates (F7 / F8 switch vendors)"))
        out += [
            ("Save questionnaire", screen.action_save, "Write the questionnaire file (Ctrl+S)"),
            ("Save questionnaire as…", screen.action_save_as, "Write it to another file"),
            ("Export memo PDF", screen.action_export, "Render the memo in the background (Ctrl+E)"),
            ("Open the memo", screen.action_open_memo, "Open the memo written last, with the system's viewer"),
            ("Add workload", partial(screen.workload_action, "add"), "A new workload with its own profile"),
            ("Toggle light / dark theme", self.app.action_toggle_theme, "Ctrl+T"),
            ("Help", self.app.action_help, "Keys and how the interview works (F1)"),
        ]
        return out

    @staticmethod
    async def _vendor(screen, vi: int, wi: int) -> None:
        # awaited by the palette's call (not a worker): keys typed next go to the vendor shown
        await screen.goto_vendor(vi, wi)

    async def discover(self) -> Hits:
        for name, cmd, help_text in self._commands():
            yield DiscoveryHit(name, cmd, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, cmd, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cmd, help=help_text)  # type: ignore[arg-type]

"""The 三率 board: each bank's and district's response, on-time completion and satisfaction rates per
month (``rates``), read by the console's board page and the monthly report."""

from bot.board.rates import (
    GROUPINGS,
    Board,
    BoardRow,
    Grouping,
    Measure,
    Share,
    TicketStanding,
    parse_measure,
    three_rates,
    ticket_standings,
)

__all__ = ["GROUPINGS", "Board", "BoardRow", "Grouping", "Measure", "Share", "TicketStanding", "parse_measure",
           "three_rates", "ticket_standings"]

"""Multilingual search over the tree and the service directory. Pure; no I/O, no Telegram.

:meth:`SearchIndex.build` indexes every node reachable from the main menu and every service
a node lists: titles, texts and keywords of nodes; name, offers and for_whom of services; in
German (the source) and in every language that has a knowledge catalog. A query in language
``L`` is looked up in German, English and ``L``, so a Turkish user who types
"pflegegrad nasıl" finds the German word as well as the Turkish one.

- :mod:`bot.search.index`: one language's inverted index (stems, folding, typos by trigrams
  and edit distance, BM25F postings, keyword phrases);
- :mod:`bot.search.ranking`: the documents (nodes, and services at the nodes that list
  them), the query's words and how they are scored and cut.
"""

from __future__ import annotations

from bot.search.index import stemmer_for
from bot.search.ranking import Hit, SearchIndex

__all__ = ["Hit", "SearchIndex", "stemmer_for"]

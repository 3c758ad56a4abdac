"""Article ingestion: a Chinese news article becomes draft delegates and proposals with verbatim quotes.

- ``text``: normalised text, paragraphs and logical blocks with offsets (layout repair);
- ``lexicon``: bodies, titles, organisation suffixes, surnames, the jieba user dictionary;
- ``people``: introductions of delegates, section context, positions, people skipped;
- ``statements``: what each delegate proposed or said, and theme suggestions;
- ``extract``: the whole pipeline on a text (plain data out, the ``--dry-run --json`` shape);
- ``scoring``: scores against expected records;
- ``reading``: decoding files (UTF-8, GB18030), refusing HTML, empty and oversized input;
- ``service``: ``article_ingest`` (Django), the one write path.

Everything but ``service`` is plain Python with no Django import, so the rules are tested on strings.
"""

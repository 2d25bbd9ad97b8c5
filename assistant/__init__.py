"""Reply-drafting assistant with rule citations for marketplace support.

Data flow, one package per stage: ``ingest`` (files → blocks) → ``clauses``
(blocks → numbered clauses with citations) → ``index`` (clauses and past cases →
FAISS snapshots on disk) → ``search``. The CLI (``assistant.cli``) and the
Streamlit page (``app.py``) are thin surfaces over these functions.
"""

__version__ = "0.1.0"

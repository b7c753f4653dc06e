"""The input frame the caller passes, and the cleaning step that turns it into the columns the
model compares and blocks on.

Cleaning is done once, here, in Polars (not in SQL) so that DuckDB and Spark see exactly the same
values: both engines then run the same comparisons on the same strings.
"""

from __future__ import annotations

import jellyfish
import polars as pl

INPUT_SCHEMA: dict[str, pl.DataType] = {
    "unique_id": pl.Int64(),
    "source": pl.Utf8(),
    "given_name": pl.Utf8(),
    "family_name": pl.Utf8(),
    "other_names": pl.List(pl.Utf8()),
    "date_of_birth": pl.Date(),
    "sex": pl.Utf8(),
    "postcode": pl.Utf8(),
    "address": pl.Utf8(),
    "phone": pl.Utf8(),
    "nhs_number": pl.Utf8(),
    "upn": pl.Utf8(),
    "pnc_id": pl.Utf8(),
}

#: The columns of the prepared frame, in order (what the engines receive).
PREPARED_COLUMNS = (
    "unique_id",
    "given_name",
    "family_name",
    "forenames",
    "surnames",
    "dob",
    "sex",
    "postcode",
    "pc_sector",
    "pc_district",
    "address",
    "phone",
    "nhs_number",
    "upn",
    "pnc_id",
    "given_key",
    "family_key",
    "dob_year",
    "dob_md",
    "linkable",
)

STRONG_IDENTIFIERS = ("nhs_number", "upn", "pnc_id")


def check_input(records: pl.DataFrame) -> None:
    """Raise ValueError naming the missing or mistyped columns, or repeated ids."""
    problems = []
    for name, dtype in INPUT_SCHEMA.items():
        if name not in records.columns:
            problems.append(f"missing column {name!r}")
        elif records.schema[name] != dtype and records.schema[name] != pl.Null:
            problems.append(f"column {name!r} is {records.schema[name]}, expected {dtype}")
    if problems:
        raise ValueError("linkage input: " + "; ".join(problems))
    if records["unique_id"].null_count() or records["unique_id"].n_unique() != records.height:
        raise ValueError("linkage input: unique_id must be present and unique")


def _clean_name(col: pl.Expr) -> pl.Expr:
    """Lower case, letters, spaces and hyphens only (accents dropped by the caller's data), single
    spaces; null when nothing is left."""
    out = (
        col.str.to_lowercase()
        .str.replace_all(r"[\x{2019}'`.]", "")
        .str.replace_all(r"[^a-z\- ]", " ")
        .str.replace_all(r"\s*-\s*", "-")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" -")
    )
    return pl.when(out.str.len_chars() > 0).then(out).otherwise(None)


def _clean_code(col: pl.Expr) -> pl.Expr:
    """Identifiers: upper case, letters and digits only; null when empty."""
    out = col.str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "")
    return pl.when(out.str.len_chars() > 0).then(out).otherwise(None)


def _phonetic(values: pl.Series) -> pl.Series:
    """Metaphone of each distinct value (names repeat a lot: a few thousand calls per million)."""
    distinct = values.drop_nulls().unique()
    keys = [jellyfish.metaphone(v.replace("-", " ").split(" ")[0]) or v for v in distinct]
    lookup = pl.DataFrame({"v": distinct, "k": pl.Series(keys, dtype=pl.Utf8)})
    return (
        pl.DataFrame({"v": values})
        .join(lookup, on="v", how="left", maintain_order="left")
        .get_column("k")
    )


def _tokens(col: pl.Expr) -> pl.Expr:
    return col.str.replace_all("-", " ").str.split(" ")


def prepare(records: pl.DataFrame) -> pl.DataFrame:
    """The cleaned frame: lower-cased names, name token lists (given name plus every alias,
    nickname and street name; each part of a hyphenated surname), the date of birth as
    ``YYYY-MM-DD`` text (so a typing error is one character), UK postcode with its sector and
    district, digits-only phone, identifiers without spaces or slashes, phonetic blocking keys,
    and ``linkable`` (see :func:`linkable_expr`)."""
    check_input(records)
    other = pl.col("other_names").list.eval(_clean_name(pl.element())).list.drop_nulls()
    postcode = (
        pl.col("postcode")
        .str.to_uppercase()
        .str.replace_all(r"[^0-9A-Z]", "")
        .str.replace(r"^(.+)(\d[A-Z]{2})$", "$1 $2")
    )
    uk = postcode.str.contains(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
    phone = pl.col("phone").str.replace_all(r"\D", "").str.replace(r"^44", "0")
    address = (
        pl.col("address")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9 ]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
    sex = pl.col("sex").str.to_lowercase().str.strip_chars()
    out = records.select(
        pl.col("unique_id"),
        _clean_name(pl.col("given_name")).alias("given_name"),
        _clean_name(pl.col("family_name")).alias("family_name"),
        other.alias("_other"),
        pl.col("date_of_birth").dt.strftime("%Y-%m-%d").alias("dob"),
        pl.when(sex.is_in(["f", "m", "x"])).then(sex).otherwise(None).alias("sex"),
        pl.when(postcode.str.len_chars() > 0).then(postcode).otherwise(None).alias("postcode"),
        pl.when(uk).then(postcode.str.slice(0, postcode.str.len_chars() - 2)).alias("pc_sector"),
        pl.when(uk).then(postcode.str.split(" ").list.first()).alias("pc_district"),
        pl.when(address.str.len_chars() > 0).then(address).otherwise(None).alias("address"),
        pl.when(phone.str.len_chars() >= 6).then(phone).otherwise(None).alias("phone"),
        _clean_code(pl.col("nhs_number")).alias("nhs_number"),
        _clean_code(pl.col("upn")).alias("upn"),
        _clean_code(pl.col("pnc_id")).alias("pnc_id"),
    )
    out = out.with_columns(
        pl.concat_list(
            pl.coalesce(_tokens(pl.col("given_name")), pl.lit([], pl.List(pl.Utf8))),
            pl.col("_other").list.eval(_tokens(pl.element())).list.eval(pl.element().explode()),
        )
        .list.unique(maintain_order=True)
        .alias("forenames"),
        pl.coalesce(_tokens(pl.col("family_name")), pl.lit([], pl.List(pl.Utf8))).alias("surnames"),
        pl.col("dob").str.slice(0, 4).alias("dob_year"),
        pl.col("dob").str.slice(5, 5).alias("dob_md"),
        linkable_expr().alias("linkable"),
    )
    out = out.with_columns(
        _phonetic(out["given_name"]).alias("given_key"),
        _phonetic(out["family_name"]).alias("family_key"),
    )
    return out.select(PREPARED_COLUMNS)


def linkable_expr() -> pl.Expr:
    """Whether a record carries enough to be linked *automatically*: a strong identifier (NHS
    number, UPN or PNC id), or a family name together with a date of birth, an address or
    postcode, or a phone number.

    A record without (a first name only; a given and family name and nothing else; a first name
    and a date of birth) can still be scored, and its pairs can go to the clerical review
    queue, but it is never linked without a person looking: there is too little to tell two
    children apart. Evaluated on the cleaned columns.
    """
    strong = pl.any_horizontal([pl.col(c).is_not_null() for c in STRONG_IDENTIFIERS])
    other = pl.any_horizontal(
        [pl.col(c).is_not_null() for c in ("dob", "address", "postcode", "phone")]
    )
    return strong | (pl.col("family_name").is_not_null() & other)

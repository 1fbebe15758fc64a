class §A§BQueryRunner(QueryRunner):
    query: §A§BQuery
    response: §A§BQueryResponse

    def to_query(self) -> ast.SelectQuery:
        date_range = self.query_date_range
        return parse_select(
            """
            SELECT
                toStartOfDay(timestamp) AS day,
                count(DISTINCT person_id) AS §c
            FROM events
            WHERE event = {event}
              AND timestamp >= {date_from}
              AND timestamp < {date_to}
            GROUP BY day
            ORDER BY day
            LIMIT §n
            """,
            placeholders={
                "event": ast.Constant(value="$§a_§b"),
                "date_from": date_range.date_from_as_hogql(),
                "date_to": date_range.date_to_as_hogql(),
            },
        )

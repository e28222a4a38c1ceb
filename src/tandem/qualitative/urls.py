from django.urls import path

from tandem.qualitative.views import (
    cases,
    codebook,
    coding,
    documents,
    exchange,
    matrices,
    member_checks,
    memos,
    projects,
    timeline,
)

app_name = "qualitative"

urlpatterns = [
    path("qualitative/", projects.project_list, name="project_list"),
    path("qualitative/new/", projects.project_new, name="project_new"),
    path("qualitative/<int:pk>/", projects.project_detail, name="project_detail"),
    path("qualitative/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("qualitative/<int:pk>/members/", projects.member_list, name="member_list"),
    path(
        "qualitative/<int:pk>/members/<int:member_pk>/",
        projects.member_edit,
        name="member_edit",
    ),
    path("qualitative/<int:pk>/history/", projects.project_history, name="project_history"),
    path("qualitative/<int:pk>/attributes/", cases.attribute_list, name="attribute_list"),
    path(
        "qualitative/<int:pk>/attributes/<int:attribute_pk>/",
        cases.attribute_edit,
        name="attribute_edit",
    ),
    path("qualitative/<int:pk>/cases/", cases.case_list, name="case_list"),
    path("qualitative/<int:pk>/cases/new/", cases.case_new, name="case_new"),
    path("qualitative/<int:pk>/cases/<int:case_pk>/", cases.case_detail, name="case_detail"),
    path("qualitative/<int:pk>/cases/<int:case_pk>/edit/", cases.case_edit, name="case_edit"),
    path("qualitative/<int:pk>/documents/", documents.document_list, name="document_list"),
    path("qualitative/<int:pk>/documents/new/", documents.document_new, name="document_new"),
    path(
        "qualitative/<int:pk>/documents/<int:document_pk>/",
        documents.document_detail,
        name="document_detail",
    ),
    path(
        "qualitative/<int:pk>/documents/<int:document_pk>/edit/",
        documents.document_edit,
        name="document_edit",
    ),
    path("qualitative/<int:pk>/codebook/", codebook.codebook, name="codebook"),
    path("qualitative/<int:pk>/codebook/new/", codebook.code_new, name="code_new"),
    path(
        "qualitative/<int:pk>/codebook/versions/",
        codebook.codebook_versions,
        name="codebook_versions",
    ),
    path(
        "qualitative/<int:pk>/codebook/compare/",
        codebook.codebook_compare,
        name="codebook_compare",
    ),
    path("qualitative/<int:pk>/codebook/<int:code_pk>/", codebook.code_detail, name="code_detail"),
    path("qualitative/<int:pk>/codebook/<int:code_pk>/edit/", codebook.code_edit, name="code_edit"),
    path(
        "qualitative/<int:pk>/codebook/<int:code_pk>/reorder/",
        codebook.code_reorder,
        name="code_reorder",
    ),
    path(
        "qualitative/<int:pk>/codebook/<int:code_pk>/merge/",
        codebook.code_merge,
        name="code_merge",
    ),
    path("qualitative/<int:pk>/memos/", memos.memo_list, name="memo_list"),
    path("qualitative/<int:pk>/memos/new/", memos.memo_new, name="memo_new"),
    path("qualitative/<int:pk>/memos/<int:memo_pk>/edit/", memos.memo_edit, name="memo_edit"),
    # Coding in the browser, agreement between coders, reconciliation.
    path(
        "qualitative/<int:pk>/documents/<int:document_pk>/code/",
        coding.coding_add,
        name="coding_add",
    ),
    path(
        "qualitative/<int:pk>/documents/<int:document_pk>/uncode/",
        coding.coding_remove,
        name="coding_remove",
    ),
    path("qualitative/<int:pk>/agreement/", coding.agreement_page, name="agreement"),
    path(
        "qualitative/<int:pk>/agreement/<int:document_pk>/<int:code_pk>/",
        coding.disagreement,
        name="disagreement",
    ),
    # REFI-QDA exchange: project and codebook export and import.
    path("qualitative/import/", exchange.project_import, name="project_import"),
    path("qualitative/<int:pk>/export.qdpx", exchange.project_export, name="project_export"),
    path(
        "qualitative/<int:pk>/codebook/export.qdc", exchange.codebook_export, name="codebook_export"
    ),
    path("qualitative/<int:pk>/codebook/import/", exchange.codebook_import, name="codebook_import"),
    # Retrieval, matrices, member checking and the project timeline.
    path("qualitative/<int:pk>/retrieval/", matrices.retrieval, name="retrieval"),
    path("qualitative/<int:pk>/matrices/cases/", matrices.case_matrix, name="case_matrix"),
    path("qualitative/<int:pk>/matrices/cross-case/", matrices.cross_case, name="cross_case"),
    path(
        "qualitative/<int:pk>/matrices/co-occurrence/",
        matrices.co_occurrence,
        name="co_occurrence",
    ),
    path(
        "qualitative/<int:pk>/member-checks/",
        member_checks.member_check_list,
        name="member_check_list",
    ),
    path(
        "qualitative/<int:pk>/member-checks/new/",
        member_checks.member_check_new,
        name="member_check_new",
    ),
    path("qualitative/<int:pk>/timeline/", timeline.project_timeline, name="project_timeline"),
    # The participant's one-time link: public, the token its only identifier.
    path("check/<str:token>/", member_checks.member_check_answer, name="member_check_answer"),
    path(
        "qualitative/<int:pk>/member-checks/<int:check_pk>/withdraw/",
        member_checks.member_check_withdraw,
        name="member_check_withdraw",
    ),
]

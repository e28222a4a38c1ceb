from django.urls import path

from tandem.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("role-changes/", views.role_changes, name="role_changes"),
    path("locked/", views.locked_accounts, name="locked_accounts"),
    path("locked/<int:pk>/unlock/", views.account_unlock, name="unlock_account"),
]
